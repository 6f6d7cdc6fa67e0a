/**
 * The alert state machine, pure: findings in, notices out. A condition that
 * holds for its `forMs` fires ONE notice; while it lasts, at most one reminder
 * every `reminderMs`; when it stops holding, one "resolved" notice. Never one
 * notice per message: 1,000 dead letters are one condition (Mirth's most
 * reported alert complaint is the flood of one mail per failed message).
 */
export type Severity = 'critical' | 'warning';

export interface Finding {
  /** Alert name, the same as the Prometheus rule (`CaraloomDeadLetters`). */
  alert: string;
  /** What it is about within the service: `connector`, a subscriber name, a listener. */
  subject: string;
  active: boolean;
  severity: Severity;
  /** PHI-free one-liner: counts, ages, names of config objects. */
  summary: string;
  /** How long it must hold before it fires. */
  forMs: number;
}

export interface AlertState {
  since: number;
  firedAt?: number;
  notifiedAt?: number;
  summary: string;
  severity: Severity;
}

export type NoticeKind = 'firing' | 'reminder' | 'resolved';

export interface Notice {
  kind: NoticeKind;
  alert: string;
  subject: string;
  severity: Severity;
  summary: string;
  /** When the condition started to hold (epoch ms). */
  since: number;
  at: number;
}

export type AlertStates = ReadonlyMap<string, AlertState>;

const keyOf = (finding: { alert: string; subject: string }): string => `${finding.alert}\u0000${finding.subject}`;

/** One evaluation round. Conditions not in `findings` keep their state (not evaluated this round). */
export function step(states: AlertStates, findings: readonly Finding[], now: number, reminderMs: number): { states: Map<string, AlertState>; notices: Notice[] } {
  const next = new Map(states);
  const notices: Notice[] = [];
  for (const finding of findings) {
    const key = keyOf(finding);
    const state = next.get(key);
    if (!finding.active) {
      if (state?.firedAt !== undefined) notices.push({ kind: 'resolved', alert: finding.alert, subject: finding.subject, severity: state.severity, summary: finding.summary, since: state.since, at: now });
      next.delete(key);
      continue;
    }
    const current: AlertState = state === undefined ? { since: now, summary: finding.summary, severity: finding.severity } : { ...state, summary: finding.summary, severity: finding.severity };
    if (current.firedAt === undefined) {
      if (now - current.since >= finding.forMs) {
        current.firedAt = now;
        current.notifiedAt = now;
        notices.push({ kind: 'firing', alert: finding.alert, subject: finding.subject, severity: current.severity, summary: current.summary, since: current.since, at: now });
      }
    } else if (reminderMs > 0 && now - (current.notifiedAt ?? current.firedAt) >= reminderMs) {
      current.notifiedAt = now;
      notices.push({ kind: 'reminder', alert: finding.alert, subject: finding.subject, severity: current.severity, summary: current.summary, since: current.since, at: now });
    }
    next.set(key, current);
  }
  return { states: next, notices };
}
