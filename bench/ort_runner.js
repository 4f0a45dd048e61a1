#!/usr/bin/env node
// ONNX Runtime side of bench/native_vs_ort: one inference session, driven
// over stdin so that the C++ program can alternate blocks of native and ORT
// runs without reloading the model.
//
//   node bench/ort_runner.js MODEL.onnx THREADS INPUT.bin OUTPUT.bin
//
// Loads the model (intra-op threads = THREADS, inter-op 1, sequential,
// all graph optimizations), feeds INPUT.bin (raw float32, the model's
// first input, shape from the model), runs once and writes the first output
// to OUTPUT.bin, then prints {"ready":true,"init_ms":...}. Each line "run N"
// on stdin runs N timed inferences and prints {"ms":[...]}; "quit" exits.
// Times are taken around session.run() (await included), on the
// process's monotonic clock.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

function loadOrt() {
  const local = path.join(__dirname, '..', 'third_party', 'npm', 'node_modules', 'onnxruntime-node');
  try {
    return require(local);
  } catch (e) {
    return require('onnxruntime-node');
  }
}

async function main() {
  const [modelPath, threadsArg, inputPath, outputPath] = process.argv.slice(2);
  if (!modelPath || !threadsArg || !inputPath || !outputPath) {
    process.stderr.write('usage: ort_runner.js MODEL.onnx THREADS INPUT.bin OUTPUT.bin\n');
    process.exit(2);
  }
  const ort = loadOrt();
  const threads = parseInt(threadsArg, 10);
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  const initMs = Number(process.hrtime.bigint() - t0) / 1e6;

  // The input's shape comes from the model (static shapes, batch 1).
  const inputName = session.inputNames[0];
  let dims = null;
  if (session.inputMetadata && session.inputMetadata[0] && session.inputMetadata[0].shape) {
    dims = session.inputMetadata[0].shape.map((d) => (typeof d === 'number' ? d : 1));
  }
  const bytes = fs.readFileSync(inputPath);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (!dims) dims = [data.length];
  const feeds = { [inputName]: new ort.Tensor('float32', data, dims) };

  const first = await session.run(feeds);
  const out = first[session.outputNames[0]].data;
  fs.writeFileSync(outputPath, Buffer.from(out.buffer, out.byteOffset, out.byteLength));
  process.stdout.write(JSON.stringify({ ready: true, init_ms: initMs, input: inputName, dims }) + '\n');

  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const parts = line.trim().split(/\s+/);
    if (parts[0] === 'run') {
      const n = parseInt(parts[1], 10) || 1;
      const ms = [];
      for (let i = 0; i < n; ++i) {
        const s = process.hrtime.bigint();
        await session.run(feeds);
        ms.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
      process.stdout.write(JSON.stringify({ ms }) + '\n');
    } else if (parts[0] === 'quit') {
      break;
    }
  }
  rl.close();
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
