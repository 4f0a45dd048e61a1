// Runs ONNX models in ONNX Runtime (onnxruntime-node) for edgebench's ONNX
// consumer tests: do the files we export load and run in a third party?
//
// usage: node consumers.js JOBS
//   JOBS has one job per line, tab-separated:
//     MODEL.onnx  INPUT_DIMS (e.g. 1x3x16x16)  INPUT.bin|-  OUTPUT_PREFIX|-
//   INPUT.bin holds the single input as raw little-endian float32 ('-': a
//   seeded uniform [-1, 1) input); with a prefix, output k is written to
//   PREFIX_k.bin the same way.
// Prints one JSON line per job, in order:
//   {"model": ..., "ok": true, "outputs": [{"name": ..., "dims": [...]}]}
//   {"model": ..., "ok": false, "error": "ONNX Runtime's own message"}
// EB_ORT_MODULE names the onnxruntime-node package (default: the repo's copy).
'use strict';
const fs = require('fs');
const path = require('path');

const ortPath = process.env.EB_ORT_MODULE ||
  path.join(__dirname, '../../../third_party/npm/node_modules/onnxruntime-node');
const ort = require(ortPath);

// Deterministic inputs without depending on Math.random.
function seededInput(count) {
  const data = new Float32Array(count);
  let state = 0x2545f491;
  for (let i = 0; i < count; ++i) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 4294967296 * 2 - 1;
  }
  return data;
}

function readInput(file, count) {
  if (file === '-') return seededInput(count);
  const buf = fs.readFileSync(file);
  if (buf.length !== count * 4) throw new Error(`${file} holds ${buf.length} bytes, expected ${count * 4}`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; ++i) out[i] = buf.readFloatLE(i * 4);
  return out;
}

async function runJob(line) {
  const [model, dimsText, inputFile, prefix] = line.split('\t');
  const dims = dimsText.split('x').map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled' });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', readInput(inputFile, count), dims) };
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name, k) => {
    const t = results[name];
    if (prefix && prefix !== '-') {
      const buf = Buffer.alloc(t.data.length * 4);
      for (let i = 0; i < t.data.length; ++i) buf.writeFloatLE(t.data[i], i * 4);
      fs.writeFileSync(`${prefix}_${k}.bin`, buf);
    }
    return { name, dims: Array.from(t.dims, Number) };
  });
  return { model, ok: true, outputs };
}

async function main() {
  const jobs = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.length > 0);
  for (const line of jobs) {
    let result;
    try {
      result = await runJob(line);
    } catch (e) {
      result = { model: line.split('\t')[0], ok: false, error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  }
}

main().catch((e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
