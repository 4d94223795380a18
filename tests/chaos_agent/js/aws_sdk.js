// @aws-sdk/ec2-metadata-service (the AWS SDK for JavaScript v3 IMDS client) against chaos-agent.
// It requests //latest/meta-data/... (double slash) and would hang if a 4xx kept the connection open.
const { execFileSync } = require('child_process');
const { MetadataService } = require('@aws-sdk/ec2-metadata-service');
const assert = require('assert');

const agent = (...args) =>
  execFileSync(process.env.CHAOS_AGENT_BIN, [...args, '--control', process.env.CHAOS_AGENT_CONTROL]);

async function spot(md) {
  try {
    return await md.request('/latest/meta-data/spot/instance-action', {});
  } catch (e) {
    return e.$metadata ? e.$metadata.httpStatusCode : String(e);
  }
}

(async () => {
  const md = new MetadataService({ httpOptions: { timeout: 2000 }, retries: 0 });
  // Standalone mode: the instance identity a handler reads at start, without a cloud.
  assert.strictEqual(await md.request('/latest/meta-data/instance-id', {}), 'i-0123456789abcdef0');
  assert.strictEqual(await md.request('/latest/meta-data/instance-type', {}), 'm5.xlarge');
  assert.strictEqual(await md.request('/latest/meta-data/placement/availability-zone', {}), 'us-east-1a');
  assert.strictEqual(await md.request('/latest/meta-data/placement/region', {}), 'us-east-1');
  console.log('ok: instance-id, instance-type, placement/availability-zone, placement/region');
  assert.strictEqual(await spot(md), 404);
  console.log('ok: no notice before injection (404)');
  agent('inject', 'preempt', '--provider', 'aws', '--notice', '120s', '--action', 'hibernate');
  const body = JSON.parse(await spot(md));
  assert.strictEqual(body.action, 'hibernate');
  assert.match(body.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  console.log('ok: notice after injection', JSON.stringify(body));
  const tt = await md.request('/latest/meta-data/events/recommendations/rebalance', {}).catch((e) => e.$metadata.httpStatusCode);
  assert.strictEqual(tt, 404);
  agent('clear');
  assert.strictEqual(await spot(md), 404);
  console.log('ok: no notice after clear');
  // IMDSv1 path too (token fetching disabled).
  const v1 = new MetadataService({ httpOptions: { timeout: 2000 }, retries: 0, disableFetchToken: true });
  assert.strictEqual(await spot(v1), 404);
  console.log('ok: IMDSv1 request');
})().catch((e) => {
  console.error('FAIL:', e);
  process.exit(1);
});
