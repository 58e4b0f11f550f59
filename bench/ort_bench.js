// Times one .onnx model in ONNX Runtime through its Node binding, the peer
// that bench/gemm_bench.py runs beside qcc (alternating with qcc-run).
//
//   node ort_bench.js MODEL.onnx INPUT.f32 DIMS RUNS [--warmup W]
//                     [--threads T] [--output OUT.f32] [--dtype float32|uint8|int8]
//                     [--budget-s S]
//
// INPUT.f32 holds the model's single input (float32 unless --dtype says
// otherwise), raw little-endian, of shape DIMS ("1,4096"). After W warm-up runs (default 2) it times RUNS runs
// of session.run one after the other (each includes the binding's per-call
// overhead, as an application would see it), or fewer once the timed runs
// have taken --budget-s seconds (at least one), and prints one JSON line:
// {"median_us", "p10_us", "p90_us", "min_us", "runs", "load_ms"}.
// --output writes the first output of the warm-up run as raw float32.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

// The same convention as qcc-run --bench: sorted[round(q * (n - 1))].
function quantile(sorted, q) {
  return sorted[Math.round(q * (sorted.length - 1))];
}

async function main() {
  const argv = process.argv.slice(2);
  const positional = [];
  const opts = { warmup: 2, threads: 2, output: null, dtype: 'float32', budgetS: Infinity };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--warmup') opts.warmup = parseInt(argv[++i], 10);
    else if (argv[i] === '--threads') opts.threads = parseInt(argv[++i], 10);
    else if (argv[i] === '--output') opts.output = argv[++i];
    else if (argv[i] === '--dtype') opts.dtype = argv[++i];
    else if (argv[i] === '--budget-s') opts.budgetS = parseFloat(argv[++i]);
    else positional.push(argv[i]);
  }
  if (positional.length !== 4) {
    console.error('usage: node ort_bench.js MODEL.onnx INPUT.f32 DIMS RUNS [--warmup W] [--threads T] [--output OUT.f32] [--budget-s S]');
    process.exit(2);
  }
  const [model, input, dimsText, runsText] = positional;
  const dims = dimsText.split(',').map((d) => parseInt(d, 10));
  const runs = parseInt(runsText, 10);
  const raw = fs.readFileSync(input);
  const arrays = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array };
  if (!arrays[opts.dtype]) {
    console.error('--dtype: float32, uint8 or int8');
    process.exit(2);
  }
  const Array = arrays[opts.dtype];
  const data = new Array(raw.buffer, raw.byteOffset, raw.byteLength / Array.BYTES_PER_ELEMENT);
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const feeds = { [session.inputNames[0]]: new ort.Tensor(opts.dtype, data, dims) };
  for (let i = 0; i < Math.max(1, opts.warmup); ++i) {
    const out = await session.run(feeds);
    if (i === 0 && opts.output) {
      const y = out[session.outputNames[0]].data;
      fs.writeFileSync(opts.output, Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    }
  }
  const times = [];
  let spentUs = 0;
  for (let i = 0; i < runs && (i === 0 || spentUs < opts.budgetS * 1e6); ++i) {
    const s = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - s) / 1e3);
    spentUs += times[times.length - 1];
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({
    median_us: quantile(times, 0.5),
    p10_us: quantile(times, 0.1),
    p90_us: quantile(times, 0.9),
    min_us: times[0],
    runs: times.length,
    load_ms: loadMs,
  }));
}

main().catch((e) => {
  console.error(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
