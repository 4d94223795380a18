// gcp-metadata (Google's Node metadata client) against chaos-agent, including a
// wait_for_change long-poll woken by an injection. Env: GCE_METADATA_HOST,
// METADATA_SERVER_DETECTION=assume-present (set by run_js.py).
const { execFile, execFileSync } = require('child_process');
const gcpMetadata = require('gcp-metadata');
const assert = require('assert');

const args = (...a) => [...a, '--control', process.env.CHAOS_AGENT_CONTROL];
const agent = (...a) => execFileSync(process.env.CHAOS_AGENT_BIN, args(...a));

(async () => {
  assert.strictEqual(await gcpMetadata.isAvailable(), true);
  console.log('ok: isAvailable');
  // Standalone mode: the identity a handler reads at start, without a cloud.
  assert.strictEqual(String(await gcpMetadata.instance('id')), '4520031799277581759');
  assert.strictEqual(String(await gcpMetadata.instance('name')), 'test-vm');
  assert.strictEqual(String(await gcpMetadata.instance('zone')), 'projects/123456789012/zones/us-central1-a');
  assert.strictEqual(String(await gcpMetadata.instance('machine-type')), 'projects/123456789012/machineTypes/n2-standard-4');
  assert.strictEqual(String(await gcpMetadata.project('project-id')), 'chaos-agent-gameday');
  assert.strictEqual(String(await gcpMetadata.project('numeric-project-id')), '123456789012');
  console.log('ok: instance id, name, zone, machine-type; project-id, numeric-project-id');
  assert.strictEqual(String(await gcpMetadata.instance('preempted')), 'FALSE');
  assert.strictEqual(String(await gcpMetadata.instance('maintenance-event')), 'NONE');
  console.log('ok: FALSE / NONE before injection');
  // gcp-metadata 6.x takes one options argument: instance({property, params}).
  const started = Date.now();
  const waiting = gcpMetadata.instance({ property: 'preempted', params: { wait_for_change: true } });
  // Inject only once the agent holds the long-poll open.
  for (let i = 0; ; i++) {
    const st = JSON.parse(agent('status', '--json'));
    if (st.longpolls === 1) break;
    assert.ok(i < 200, 'the wait_for_change request never reached the agent');
    await new Promise((r) => setTimeout(r, 10));
  }
  console.log('ok: the agent holds the wait_for_change request');
  execFile(process.env.CHAOS_AGENT_BIN, args('inject', 'preempt', '--provider', 'gcp', '--notice', '30s'));
  assert.strictEqual(String(await waiting), 'TRUE');
  console.log(`ok: wait_for_change woken by the injection after ${Date.now() - started} ms`);
  assert.strictEqual(String(await gcpMetadata.instance('preempted')), 'TRUE');
  agent('clear');
  assert.strictEqual(String(await gcpMetadata.instance('preempted')), 'FALSE');
  console.log('ok: FALSE after clear');
  agent('inject', 'maintenance', '--provider', 'gcp');
  assert.strictEqual(String(await gcpMetadata.instance('maintenance-event')), 'TERMINATE_ON_HOST_MAINTENANCE');
  agent('clear');
  console.log('ok: maintenance-event');
})().catch((e) => {
  console.error('FAIL:', e);
  process.exit(1);
});
