/**
 * The sandbox's data model: one store, two views (native JSON and FHIR R4).
 * A referral created natively is readable as a ServiceRequest with its Patient
 * and Encounter; one created through FHIR is visible natively.
 */

export type Discipline = 'RN' | 'LPN' | 'PT' | 'OT' | 'SLP' | 'HHA' | 'MSW';

export interface Clinician {
  id: string; // clin_…
  /** De-identified display name ("Clinician 0042, RN"). */
  displayName: string;
  discipline: Discipline;
  specialties: string[];
  languages: string[];
  license: { state: string; number: string /* masked: "RN-•••••123" */; verified: boolean; verifiedAt: string; expiresAt: string };
  verification: { status: 'verified' | 'pending'; backgroundCheckAt: string };
  location: { zip: string; city: string; state: string; latitude: number; longitude: number };
  serviceRadiusMiles: number;
  acceptingReferrals: boolean;
}

export interface ClinicianMatch {
  clinicianId: string;
  displayName: string;
  discipline: Discipline;
  specialties: string[];
  distanceMiles: number;
  /** 0–1, higher is a better fit (care type → discipline, diagnosis → specialty, distance). */
  score: number;
  reasons: string[];
}

export type ReferralStatus = 'pending' | 'matched' | 'cancelled';

export interface Referral {
  id: string; // ref_…
  status: ReferralStatus;
  primaryDiagnosis: { input: string; code?: string | undefined; display: string; category?: string | undefined };
  careType: string;
  zip: string;
  city?: string | undefined;
  state?: string | undefined;
  priority: 'routine' | 'urgent' | 'asap' | 'stat';
  dischargeDate?: string | undefined;
  facility?: string | undefined;
  externalId?: string | undefined;
  notes?: string | undefined;
  /** The subject as given (sandbox: de-identified display only). */
  patient: { id: string; display?: string | undefined };
  encounterId: string;
  matches: ClinicianMatch[];
  /** Which API key created it (hashed key id, never the key). */
  keyId: string;
  source: 'native' | 'fhir';
  /** The ServiceRequest as posted, when created through FHIR (minus anything we refuse to keep). */
  fhir?: Record<string, unknown> | undefined;
  createdAt: string;
  updatedAt: string;
}

/** What a referral is created from, by the native door or the FHIR door (already validated). */
export interface ReferralInput {
  /** Shorthand (CHF, COPD, stroke…), an ICD-10-CM code (I50.9) or a known phrase. */
  primaryDiagnosis: string;
  /** One of `careTypes` (case-insensitive; aliases accepted). */
  careType: string;
  /** Five-digit US ZIP of the discharge destination. */
  zip: string;
  /** @default 'routine' */
  priority?: Referral['priority'] | undefined;
  /** `YYYY-MM-DD`. */
  dischargeDate?: string | undefined;
  facility?: string | undefined;
  externalId?: string | undefined;
  notes?: string | undefined;
  /** De-identified subject; an id is minted when absent. */
  patient?: { id?: string | undefined; display?: string | undefined } | undefined;
}

export type WebhookEventType = 'referral.created' | 'referral.matched' | 'ping';

export const webhookEventTypes: readonly WebhookEventType[] = ['referral.created', 'referral.matched', 'ping'];

export interface WebhookRegistration {
  id: string; // wh_…
  url: string;
  events: WebhookEventType[];
  /**
   * The signing secret (`whsec_…`). Kept in clear because the sandbox must
   * sign with it; shown to the client once, at registration.
   */
  secret: string;
  keyId: string;
  createdAt: string;
}

/** The body of every webhook delivery. */
export interface WebhookEvent {
  id: string; // evt_…
  type: WebhookEventType;
  created_at: string;
  data: unknown;
}

/** An issued sandbox key: only its SHA-256 is stored. */
export interface ApiKeyRecord {
  /** `key_` + the first 16 hex of the hash: safe to log and to store on referrals. */
  id: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  /** Last four characters, to help a person tell keys apart. */
  hint: string;
  email?: string | undefined;
  createdAt: string;
}
