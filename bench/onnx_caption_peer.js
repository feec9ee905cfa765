#!/usr/bin/env node
// Captioning with a Glimpse model exported to ONNX (bench/onnx_export.py), run by ONNX Runtime
// through the npm package onnxruntime-node: what a user would deploy instead of the engine, and
// the third column of `glimpse bench --caption`.
//
// The protocol is bench/torch_caption_peer.py's, on the same inputs (--patches, --context-ids):
// greedy decoding with the engine's constraints (<pad> and <bos> never chosen, <eos> not before
// --min-len words, forced after --max-len words), so with --min-len = --max-len every caption
// has exactly that many words and then <eos>. Unlike PyTorch eager, the exported step graph keeps
// the self-attention K/V cache and reads the encoder's precomputed cross-attention K/V, as the
// engine does. Times are medians over alternating rounds (each round: encode, decode, caption)
// lasting at least --min-seconds per measure:
//
//   encode_ms            encoder graph (both encoders + every layer's cross K/V), one batch
//   per_token_decode_ms  greedy decoding time of the batch (encode excluded) / decode steps
//   greedy_caption_ms    encode + greedy decoding of the batch (ms per batch)
//   captions_per_second  batch / greedy_caption_ms
//
// --batch B (default 1; the export's batch axis is dynamic) captions B images at once, in
// lock-step: --patches holds [B, N, 3*P*P] (or [N, 3*P*P], copied to every row), --context-ids
// one comma list for every row or B lists separated by ';'. A finished row is fed <eos> until
// the whole batch is done, as the engine does.
//
// --check-tokens (the engine's caption, <eos> included; at B > 1 one list per row, separated by
// ';', every row the same length) teacher-forces that caption through the step graph and
// reports each token's log-probability (check_logprobs; at B > 1 one array per row), which
// glimpse compares with its own. At B = 1 the output has the fields it always had. Threads: --threads intra-op threads, one inter-op thread, sequential execution;
// spinning of the intra-op pool as --spinning says (ONNX Runtime's default: on).
// Prints one JSON object.
'use strict';

const fs = require('fs');
const path = require('path');

const ORT_MODULE = process.env.GLIMPSE_ONNXRUNTIME_NODE || 'onnxruntime-node';
const ort = require(ORT_MODULE);

const PAD = 0, BOS = 1, EOS = 2;

function parseArgs(argv) {
  const a = {threads: 1, minSeconds: 1, maxLen: 12, minLen: 12, contextIds: '', patches: '',
             modelDir: '', checkTokens: '', spinning: 'on', batch: 1};
  const keys = {'--model-dir': 'modelDir', '--threads': 'threads', '--min-seconds': 'minSeconds',
                '--max-len': 'maxLen', '--min-len': 'minLen', '--context-ids': 'contextIds',
                '--patches': 'patches', '--check-tokens': 'checkTokens', '--spinning': 'spinning',
                '--batch': 'batch'};
  for (let i = 0; i < argv.length; i += 2) {
    const key = keys[argv[i]];
    if (!key || i + 1 >= argv.length) throw new Error(`bad argument '${argv[i]}'`);
    a[key] = typeof a[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!a.modelDir || !a.patches) throw new Error('--model-dir and --patches are required');
  if (a.spinning !== 'on' && a.spinning !== 'off') throw new Error('--spinning is on or off');
  if (!(Number.isInteger(a.batch) && a.batch >= 1)) throw new Error('--batch is a positive integer');
  return a;
}

// The tensor `name` of a .safetensors file as a Float32Array (F32 only: what glimpse writes).
function readSafetensor(file, name) {
  const data = fs.readFileSync(file);
  const n = Number(data.readBigUInt64LE(0));
  const header = JSON.parse(data.subarray(8, 8 + n).toString('utf8'));
  const entry = header[name];
  if (!entry || entry.dtype !== 'F32') throw new Error(`${file}: no F32 tensor '${name}'`);
  const [begin, end] = entry.data_offsets;
  const bytes = data.subarray(8 + n + begin, 8 + n + end);
  return {shape: entry.shape, values: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))};
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function nowSeconds() { return Number(process.hrtime.bigint()) / 1e9; }

class Captioner {
  constructor(meta, encoder, step, batch) {
    this.meta = meta;
    this.encoder = encoder;
    this.step = step;
    this.batch = batch;
    this.emptyCache = new ort.Tensor('float32', new Float32Array(0), [batch, meta.heads, 0, meta.head_dim]);
  }

  async encode(feeds) { return this.encoder.run(feeds); }

  // One decode step: feeds each row's token (tokens[b]) at `position` with the cache `past`
  // ({name: Tensor}); returns [logprobs Float32Array [B * V], next cache].
  async next(encoded, past, tokens, position) {
    const feeds = {token: new ort.Tensor('int64', BigInt64Array.from(tokens.map(BigInt)), [this.batch, 1]),
                   position: new ort.Tensor('int64', BigInt64Array.from([BigInt(position)]), [1])};
    for (const name of this.meta.past_inputs) feeds[name] = past ? past[name] : this.emptyCache;
    for (const name of this.meta.cross_outputs) feeds[name] = encoded[name];
    feeds.memory_padding = encoded.memory_padding;
    const out = await this.step.run(feeds);
    const cache = {};
    this.meta.past_inputs.forEach((name, i) => { cache[name] = out[this.meta.present_outputs[i]]; });
    return [out.logprobs.data, cache];
  }

  // The engine's greedy decoding of every row; returns per row {words, steps, logprobs}
  // (logprobs: each chosen token's log-softmax value, before the constraints, <eos> included)
  // and the batch's decode steps.
  async greedy(encoded, wordsMax, minLen) {
    const B = this.batch;
    const rows = Array.from({length: B}, () => ({words: [], steps: 0, logprobs: [], done: false}));
    let past = null, tokens = new Array(B).fill(BOS), steps = 0;
    for (let pos = 0; pos <= wordsMax && rows.some((r) => !r.done); ++pos) {
      let logp;
      [logp, past] = await this.next(encoded, past, tokens, pos);
      ++steps;
      const V = logp.length / B;
      for (let b = 0; b < B; ++b) {
        const r = rows[b];
        if (r.done) { tokens[b] = EOS; continue; }
        let best = -1, bestValue = -Infinity;
        for (let v = 0; v < V; ++v) {
          if (v === PAD || v === BOS) continue;
          if (v === EOS ? r.words.length < minLen : pos === wordsMax) continue;
          if (logp[b * V + v] > bestValue) { bestValue = logp[b * V + v]; best = v; }
        }
        r.logprobs.push(logp[b * V + best]);
        r.steps = pos + 1;
        if (best === EOS) r.done = true; else r.words.push(best);
        tokens[b] = best;
      }
    }
    return {rows, steps};
  }

  // Teacher forcing along each row's tokens (rows[b], all the same length, the last one
  // normally <eos>): each one's log-probability, per row.
  async logprobsOf(encoded, rows) {
    const B = this.batch;
    const out = rows.map(() => []);
    let past = null, tokens = new Array(B).fill(BOS);
    for (let pos = 0; pos < rows[0].length; ++pos) {
      let logp;
      [logp, past] = await this.next(encoded, past, tokens, pos);
      const V = logp.length / B;
      for (let b = 0; b < B; ++b) out[b].push(logp[b * V + rows[b][pos]]);
      tokens = rows.map((r) => r[pos]);
    }
    return out;
  }
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  const meta = JSON.parse(fs.readFileSync(path.join(a.modelDir, 'meta.json'), 'utf8'));
  const cfg = meta.config;
  const options = {
    intraOpNumThreads: a.threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: {session: {intra_op: {allow_spinning: a.spinning === 'on' ? '1' : '0'}}},
  };
  const encoder = await ort.InferenceSession.create(path.join(a.modelDir, 'encoder.onnx'), options);
  const step = await ort.InferenceSession.create(path.join(a.modelDir, 'decoder_step.onnx'), options);
  const B = a.batch;
  const captioner = new Captioner(meta, encoder, step, B);

  const patches = readSafetensor(a.patches, 'patches');
  const one = meta.patches * meta.patch_dim;
  let pixels = patches.values;
  if (pixels.length === one && B > 1) {
    pixels = new Float32Array(B * one);
    for (let b = 0; b < B; ++b) pixels.set(patches.values, b * one);
  }
  if (pixels.length !== B * one)
    throw new Error(`${a.patches}: ${patches.values.length} values, the model reads ${B} x ${meta.patches} x ${meta.patch_dim}`);
  // One list per row ('a,b;c,d'), or one list for every row.
  const lists = (text) => text.split(';').map((row) => (row ? row.split(',').map(Number) : []));
  let ctxRows = lists(a.contextIds);
  if (ctxRows.length === 1) ctxRows = new Array(B).fill(ctxRows[0]);
  if (ctxRows.length !== B) throw new Error(`${ctxRows.length} context lists for a batch of ${B}`);
  for (const ctx of ctxRows)
    if (ctx.length !== meta.context_len)
      throw new Error(`the export is for ${meta.context_len} context tokens, got ${ctx.length}`);
  const Lc = meta.context_len;
  const feeds = {
    patches: new ort.Tensor('float32', pixels, [B, meta.patches, meta.patch_dim]),
    context_ids: new ort.Tensor('int64', BigInt64Array.from(ctxRows.flat().map(BigInt)), [B, Lc]),
    context_padding: new ort.Tensor('bool', new Uint8Array(B * Lc), [B, Lc]),
  };
  const most = cfg.max_caption_len - 1;
  const wordsMax = a.maxLen > 0 ? Math.min(a.maxLen, most) : most;
  const minLen = Math.min(a.minLen, wordsMax);

  const encoded = await captioner.encode(feeds);
  const caption = await captioner.greedy(encoded, wordsMax, minLen);
  let checkRows = a.checkTokens ? lists(a.checkTokens) : [];
  if (checkRows.length === 1) checkRows = new Array(B).fill(checkRows[0]);
  if (checkRows.length && (checkRows.length !== B || checkRows.some((r) => r.length !== checkRows[0].length)))
    throw new Error(`--check-tokens: ${B} rows of one length expected`);
  const checkLogprobs = checkRows.length ? await captioner.logprobsOf(encoded, checkRows) : [];

  // Alternating rounds: every measure sees the same stretch of machine load.
  const measures = {
    encode: () => captioner.encode(feeds),
    decode: () => captioner.greedy(encoded, wordsMax, minLen),
    caption: async () => captioner.greedy(await captioner.encode(feeds), wordsMax, minLen),
  };
  const samples = {};
  for (const [name, fn] of Object.entries(measures)) { await fn(); samples[name] = []; }  // warm-up
  const names = Object.keys(measures);
  const start = nowSeconds();
  while (nowSeconds() - start < a.minSeconds * names.length || samples.encode.length < 3) {
    for (const name of names) {
      const t0 = nowSeconds();
      await measures[name]();
      samples[name].push(nowSeconds() - t0);
    }
  }
  const ortVersion = JSON.parse(fs.readFileSync(
      path.join(path.dirname(require.resolve(ORT_MODULE)), '..', 'package.json'), 'utf8')).version;
  process.stdout.write(JSON.stringify({
    model_dir: a.modelDir, fusion: cfg.fusion, onnxruntime: ortVersion, node: process.version,
    opset: meta.opset, threads: a.threads, inter_op_threads: 1, spinning: a.spinning,
    execution_mode: 'sequential', graph_optimization: 'all', batch: B,
    decoding: 'ONNX Runtime, exported encoder + decoder-step graphs with the self-attention ' +
              'K/V cache and precomputed cross-attention K/V',
    patches: meta.patches, context_ids: B === 1 ? ctxRows[0] : ctxRows, max_len: wordsMax, min_len: minLen,
    rounds: samples.encode.length,
    encode_ms: 1e3 * median(samples.encode),
    greedy_caption_ms: 1e3 * median(samples.caption),
    captions_per_second: B / median(samples.caption),
    greedy_steps: caption.steps,
    per_token_decode_ms: 1e3 * median(samples.decode) / caption.steps,
    greedy_tokens: B === 1 ? caption.rows[0].words : caption.rows.map((r) => r.words),
    greedy_logprobs: B === 1 ? caption.rows[0].logprobs : caption.rows.map((r) => r.logprobs),
    check_tokens: B === 1 ? (checkRows[0] || []) : checkRows,
    check_logprobs: B === 1 ? (checkLogprobs[0] || []) : checkLogprobs,
  }) + '\n');
}

main().catch((e) => { process.stderr.write(`onnx_caption_peer: ${e.stack || e}\n`); process.exit(1); });
