/** The `connector:` config section: defaults, the example file, and refusals that name the key. */
import test from 'ava';
import { ConfigError } from '../../core/errors.js';
import { configFrom, loadConfig } from '../../config/load.js';
import { connectorConfig } from '../../connector/config.js';

test('the example config documents the connector defaults', (t) => {
  const example = loadConfig('config/caraloom.example.yaml', {});
  t.deepEqual(example.connector, connectorConfig());
});

test('an api url that is not http is refused naming the key', (t) => {
  const error = t.throws(() => configFrom({ connector: { api: { url: 'ftp://example.com' } } }, {}), { instanceOf: ConfigError });
  t.regex(error!.message, /connector\.api\.url/);
});

test('a short bearer token is refused', (t) => {
  const error = t.throws(() => configFrom({ connector: { http: { tokens: ['short'] } } }, {}), { instanceOf: ConfigError });
  t.regex(error!.message, /connector\.http\.tokens\.0: tokens must be at least 16 characters/);
});

test('an unknown connector key is refused', (t) => {
  const error = t.throws(() => configFrom({ connector: { mlp: { port: 1 } } }, {}), { instanceOf: ConfigError });
  t.regex(error!.message, /mlp/);
});
