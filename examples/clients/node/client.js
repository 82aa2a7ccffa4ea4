#!/usr/bin/env node
// An Innoscope client in Node.js, outside C++: @grpc/grpc-js and
// @grpc/proto-loader (pinned in package.json, installed by
// deploy/install-deps.sh) load the contracts from proto/ at run time.
//
// The same flow as examples/clients/python/innoscope_client.py: import a
// small framework and the observations of six regions for 2021 and 2022,
// show the machine-readable error of a bad batch (google.rpc.BadRequest),
// score both periods, read the 2022 ranking page by page, and print the top 5
// and the rank changes since 2021.
//
//   node examples/clients/node/client.js --ingest 127.0.0.1:50051 --scoring 127.0.0.1:50053
//
// Addresses default to INNOSCOPE_INGEST_ADDRESS / INNOSCOPE_SCORING_ADDRESS.
// Against servers with TLS: --ca_file (INNOSCOPE_CA_FILE), optionally
// --cert_file and --key_file, and --token (INNOSCOPE_TOKEN) sent as
// `authorization: Bearer <token>`.
// google/rpc/{status,error_details}.proto come from Debian's
// golang-github-gogo-googleapis-dev (INNOSCOPE_GOOGLEAPIS_DIR overrides).
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_DIR = path.resolve(__dirname, '../../../proto');
const GOOGLEAPIS_DIR =
  process.env.INNOSCOPE_GOOGLEAPIS_DIR || '/usr/share/gocode/src/github.com/gogo/googleapis';
const FRAMEWORK = 'api_client_example';
// [region, indicator a, indicator b] per period; examples/clients/README.md
// works the scores out by hand.
const OBSERVATIONS = {
  2021: [['EX1', 90, 80], ['EX2', 100, 40], ['EX3', 60, 100],
         ['EX4', 30, 50], ['EX5', 0, 60], ['EX6', 50, 0]],
  2022: [['EX1', 70, 60], ['EX2', 100, 90], ['EX3', 40, 100],
         ['EX4', 80, 40], ['EX5', 0, 20], ['EX6', 50, 0]],
};
const DEADLINE_MS = 60000;

function args() {
  const out = {
    ingest: process.env.INNOSCOPE_INGEST_ADDRESS,
    scoring: process.env.INNOSCOPE_SCORING_ADDRESS,
    ca_file: process.env.INNOSCOPE_CA_FILE,
    cert_file: undefined,
    key_file: undefined,
    token: process.env.INNOSCOPE_TOKEN,
  };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in out) || i + 1 >= argv.length) throw new Error(`unknown argument ${argv[i]}`);
    out[name] = argv[i + 1];
  }
  if (!out.ingest || !out.scoring) {
    throw new Error('give --ingest and --scoring (or INNOSCOPE_*_ADDRESS)');
  }
  return out;
}

const loadOptions = {
  keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
  includeDirs: [PROTO_DIR, GOOGLEAPIS_DIR],
};
const packages = grpc.loadPackageDefinition(protoLoader.loadSync(
  ['innoscope/ingest/v1/ingest.proto', 'innoscope/scoring/v1/scoring.proto'], loadOptions));
const ingestV1 = packages.innoscope.ingest.v1;
const scoringV1 = packages.innoscope.scoring.v1;
// google.rpc.Status and BadRequest, decoded with protobufjs (the library
// proto-loader is built on; pinned in package.json).
const errorRoot = protobuf.loadSync(
  ['google/rpc/status.proto', 'google/rpc/error_details.proto'].map(
    (f) => path.join(GOOGLEAPIS_DIR, f)));

function deadline() { return { deadline: Date.now() + DEADLINE_MS }; }

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, deadline(), (error, response) => {
      if (error) reject(error); else resolve(response);
    });
  });
}

// Sends batches on a bidirectional stream; resolves with every response.
function writeBatches(client, method, batches) {
  return new Promise((resolve, reject) => {
    const responses = [];
    const call = client[method](deadline());
    call.on('data', (r) => responses.push(r));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const b of batches) call.write(b);
    call.end();
  });
}

// The google.rpc.BadRequest field violations in the grpc-status-details-bin
// trailer (a google.rpc.Status) of a failed call.
function badRequestOf(error) {
  const Status = errorRoot.lookupType('google.rpc.Status');
  const BadRequest = errorRoot.lookupType('google.rpc.BadRequest');
  const out = [];
  for (const value of (error.metadata ? error.metadata.get('grpc-status-details-bin') : [])) {
    const status = Status.decode(value);
    for (const detail of status.details) {
      if (detail.type_url === 'type.googleapis.com/google.rpc.BadRequest' ||
          detail.typeUrl === 'type.googleapis.com/google.rpc.BadRequest') {
        const bad = BadRequest.decode(detail.value);
        for (const v of bad.fieldViolations || bad.field_violations) {
          out.push([v.field, v.description]);
        }
      }
    }
  }
  return out;
}

function observation(region, indicator, period, value) {
  return { region_code: region, indicator_code: indicator, period, value };
}

async function importData(ingest) {
  const regions = [];
  for (let i = 1; i <= 6; ++i) {
    regions.push({ code: `EX${i}`, name: `Example region ${i}`, kind: 'REGION_KIND_CUSTOM' });
  }
  await unary(ingest, 'UpsertRegions', { regions });
  const created = await unary(ingest, 'CreateFramework', {
    code: FRAMEWORK,
    name: 'API client example',
    indicators: [{ code: 'ex_a', name: 'Indicator a' }, { code: 'ex_b', name: 'Indicator b' }],
    nodes: [
      { code: 'ex_index', name: 'Index', level: 2, direction: 1 },
      { code: 'ex_a', name: 'Indicator a', parent_code: 'ex_index', level: 1, direction: 1,
        weight: 1 },
      { code: 'ex_b', name: 'Indicator b', parent_code: 'ex_index', level: 1, direction: 1,
        weight: 1 },
    ],
  });
  console.log(`framework ${created.framework.code} v${created.framework.version}`);

  // A bad batch first: rejected as a whole, with the row and field named in a
  // structured detail a program can act on.
  try {
    await writeBatches(ingest, 'WriteObservations', [{
      batch_id: 'api-client-bad',
      observations: [observation('EX1', 'ex_a', 2021, 1), observation('XX', 'ex_a', 2021, 1)],
    }]);
    throw new Error('the bad batch was accepted');
  } catch (error) {
    if (error.code === undefined) throw error;
    const name = Object.keys(grpc.status).find((k) => grpc.status[k] === error.code);
    console.log(`bad batch: ${name}`);
    for (const [field, description] of badRequestOf(error)) {
      console.log(`  ${field}: ${description}`);
    }
  }

  const batches = Object.keys(OBSERVATIONS).sort().map((period) => ({
    batch_id: `api-client-${period}`,
    source: 'examples/clients',
    observations: OBSERVATIONS[period].flatMap(([region, a, b]) => [
      observation(region, 'ex_a', Number(period), a),
      observation(region, 'ex_b', Number(period), b),
    ]),
  }));
  for (const r of await writeBatches(ingest, 'WriteObservations', batches)) {
    const s = r.summary;
    console.log(`batch ${r.batch_id}: ${s.inserted + s.revised + s.unchanged} observations`);
  }
}

// Every entry of a run's composite ranking, one page at a time.
async function rankingPages(scoring, runId, pageSize) {
  const request = { run_id: runId, page: { page_size: pageSize, page_token: '' } };
  const entries = [];
  let pages = 0;
  for (;;) {
    const response = await unary(scoring, 'GetRanking', request);
    pages += 1;
    entries.push(...response.entries);
    if (!response.page.next_page_token) break;
    request.page.page_token = response.page.next_page_token;
  }
  console.log(`ranking read in ${pages} pages of ${pageSize}`);
  return entries;
}

// Plaintext, or TLS with the given CA (and client certificate); a bearer
// token rides on every call.
function channelCredentials(a) {
  if (!a.ca_file) {
    if (a.token) throw new Error('--token needs TLS (--ca_file)');
    return grpc.credentials.createInsecure();
  }
  const read = (f) => (f ? fs.readFileSync(f) : null);
  let credentials = grpc.credentials.createSsl(read(a.ca_file), read(a.key_file),
                                               read(a.cert_file));
  if (a.token) {
    credentials = grpc.credentials.combineChannelCredentials(credentials,
      grpc.credentials.createFromMetadataGenerator((_, callback) => {
        const metadata = new grpc.Metadata();
        metadata.add('authorization', `Bearer ${a.token}`);
        callback(null, metadata);
      }));
  }
  return credentials;
}

function signed(n) { return n >= 0 ? `+${n}` : `${n}`; }

async function main() {
  const a = args();
  const credentials = channelCredentials(a);
  const ingest = new ingestV1.IngestService(a.ingest, credentials);
  const scoring = new scoringV1.ScoringService(a.scoring, credentials);

  await importData(ingest);
  const computed = await unary(scoring, 'ComputeScores', {
    spec: { framework: { code: FRAMEWORK } },
    periods: [2021, 2022],
  });
  const runs = {};
  for (const c of computed.runs) runs[c.run.spec.period] = c.run.id;
  console.log(`runs: ${Object.keys(runs).sort().join(', ')}`);

  const entries = await rankingPages(scoring, runs[2022], 2);
  console.log('top 5 of 2022:');
  for (const e of entries.slice(0, 5)) {
    console.log(`  ${e.rank} ${e.region_code} ${e.score.toFixed(2)}`);
  }

  const changes = await unary(scoring, 'CompareRuns', {
    run_id: runs[2022], previous_run_id: runs[2021],
  });
  console.log(`rank changes ${changes.previous_period} -> ${changes.period}:`);
  for (const c of changes.changes) {
    console.log(`  ${c.region_code} ${c.previous_rank} -> ${c.current_rank} (${signed(c.rank_change)})`);
  }
  ingest.close();
  scoring.close();
}

main().catch((error) => {
  console.error(`client.js: ${error.message}`);
  process.exit(1);
});
