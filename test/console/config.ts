/** The `console:` config section: the example file documents the defaults, and a bad value names its key. */
import test from 'ava';
import { consoleConfig } from '../../console/config.js';
import { ConfigError } from '../../core/errors.js';
import { configFrom, loadConfig } from '../../config/load.js';

test('the example config documents the console defaults', (t) => {
  t.deepEqual(loadConfig('config/caraloom.example.yaml', {}).console, consoleConfig());
});

test('a console tls block without its certificate is refused, naming the key', (t) => {
  const error = t.throws(() => configFrom({ console: { tls: { keyFile: '/etc/caraloom/console.key' } } }, {}), { instanceOf: ConfigError });
  t.regex(JSON.stringify(error?.details), /console\.tls\.certFile/);
});
