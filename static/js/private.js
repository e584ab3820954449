// Private mode (capture page only): the face is read on this device by the served model, and only the
// result is sent (the seven probabilities and box of each face, the frame's size, the model version).
//
// The same steps as the worker (emotion/vision/): YuNet (the server's ONNX file, run by onnxruntime-web)
// on a copy downscaled to longest side 320 with OpenCV's INTER_AREA, boxes scaled back; each face cut
// square (CROP_MARGIN around the box) from the gray frame (OpenCV's BGR2GRAY weights), resized to 48x48 (INTER_AREA
// when shrinking, bilinear when growing), scaled to [0, 1]; the networks the model card blends, run by
// LiteRT.js, averaged with the card's weights (and mirrored, with flip TTA); then the decision step
// softmax((log p + offsets) / T). Everything it loads comes from this site (data from json_script).
const config = JSON.parse(document.getElementById("private-config").textContent);
const MM = window.MoodMusic;
const $ = function (id) { return document.getElementById(id); };

const FACE_SIZE = 48;
const CROP_MARGIN = config.crop_margin;  // emotion.vision.preprocess.CROP_MARGIN, from the page's data
const DETECT_SIDE = 320;
const STRIDES = [8, 16, 32];
const SCORE_THRESHOLD = 0.7;
const NMS_THRESHOLD = 0.3;
const EPS = 1e-12;

// --- numbers as Python and OpenCV round them ----------------------------------------------

// Python's round(): halves go to the even neighbour.
function pyRound(value) {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function saturate8(value) {
  return Math.min(255, Math.max(0, pyRound(value)));
}

// --- OpenCV's INTER_AREA and INTER_LINEAR on one plane or interleaved channels --------------

// cv::computeResizeAreaTab: for each output cell, the source cells it covers and their shares.
function areaTable(srcSize, dstSize, scale) {
  const table = [];
  for (let d = 0; d < dstSize; d++) {
    const f1 = d * scale;
    const f2 = f1 + scale;
    const cell = Math.min(scale, srcSize - f1);
    let s1 = Math.ceil(f1);
    let s2 = Math.floor(f2);
    s2 = Math.min(s2, srcSize - 1);
    s1 = Math.min(s1, s2);
    const taps = [];
    if (s1 - f1 > 1e-3) taps.push([s1 - 1, (s1 - f1) / cell]);
    for (let s = s1; s < s2; s++) taps.push([s, 1 / cell]);
    if (f2 - s2 > 1e-3) taps.push([s2, Math.min(Math.min(f2 - s2, 1), cell) / cell]);
    table.push(taps);
  }
  return table;
}

// cv::resize(..., INTER_AREA) when shrinking: box averages for whole factors, weighted cells otherwise.
function resizeArea(src, width, height, channels, dstWidth, dstHeight, scaleX, scaleY) {
  const dst = new Uint8ClampedArray(dstWidth * dstHeight * channels);
  const ix = Math.round(scaleX);
  const iy = Math.round(scaleY);
  if (Math.abs(scaleX - ix) < 1e-12 && Math.abs(scaleY - iy) < 1e-12) {
    const area = ix * iy;
    for (let y = 0; y < dstHeight; y++) {
      for (let x = 0; x < dstWidth; x++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let dy = 0; dy < iy; dy++) {
            const row = ((y * iy + dy) * width + x * ix) * channels + c;
            for (let dx = 0; dx < ix; dx++) sum += src[row + dx * channels];
          }
          // OpenCV's 2x2 path rounds halves up ((sum + 2) >> 2); the others round to even.
          dst[(y * dstWidth + x) * channels + c] = area === 4 ? (sum + 2) >> 2 : saturate8(sum / area);
        }
      }
    }
    return dst;
  }
  const xTable = areaTable(width, dstWidth, scaleX);
  const yTable = areaTable(height, dstHeight, scaleY);
  const row = new Float64Array(dstWidth * channels);
  for (let y = 0; y < dstHeight; y++) {
    const out = new Float64Array(dstWidth * channels);
    for (const [sy, beta] of yTable[y]) {
      row.fill(0);
      const base = sy * width * channels;
      for (let x = 0; x < dstWidth; x++) {
        for (const [sx, alpha] of xTable[x]) {
          const at = base + sx * channels;
          for (let c = 0; c < channels; c++) row[x * channels + c] += alpha * src[at + c];
        }
      }
      for (let i = 0; i < out.length; i++) out[i] += beta * row[i];
    }
    for (let i = 0; i < out.length; i++) dst[y * dstWidth * channels + i] = saturate8(out[i]);
  }
  return dst;
}

// cv::resize(..., INTER_LINEAR) of one gray plane (used when a face is smaller than 48 px).
function resizeLinear(src, width, height, dstWidth, dstHeight) {
  const dst = new Uint8ClampedArray(dstWidth * dstHeight);
  const taps = function (d, scale, size) {
    let f = (d + 0.5) * scale - 0.5;
    let s = Math.floor(f);
    f -= s;
    if (s < 0) { f = 0; s = 0; }
    if (s >= size - 1) { f = 0; s = size - 1; }
    return [s, Math.min(s + 1, size - 1), f];
  };
  const sx = width / dstWidth;
  const sy = height / dstHeight;
  for (let y = 0; y < dstHeight; y++) {
    const [y0, y1, fy] = taps(y, sy, height);
    for (let x = 0; x < dstWidth; x++) {
      const [x0, x1, fx] = taps(x, sx, width);
      const top = src[y0 * width + x0] * (1 - fx) + src[y0 * width + x1] * fx;
      const bottom = src[y1 * width + x0] * (1 - fx) + src[y1 * width + x1] * fx;
      dst[y * dstWidth + x] = saturate8(top * (1 - fy) + bottom * fy);
    }
  }
  return dst;
}

// --- frames -----------------------------------------------------------------------------------

// RGBA pixels -> BGR (what cv2 decodes) and gray by cv::cvtColor(BGR2GRAY)'s fixed-point weights.
function planes(rgba, width, height) {
  const n = width * height;
  const bgr = new Uint8ClampedArray(n * 3);
  const gray = new Uint8ClampedArray(n);
  for (let i = 0; i < n; i++) {
    const r = rgba[4 * i];
    const g = rgba[4 * i + 1];
    const b = rgba[4 * i + 2];
    bgr[3 * i] = b;
    bgr[3 * i + 1] = g;
    bgr[3 * i + 2] = r;
    gray[i] = (b * 1868 + g * 9617 + r * 4899 + 8192) >> 14;
  }
  return { bgr: bgr, gray: gray, width: width, height: height };
}

// Decode a picture upright (EXIF applied, no colour conversion: the pixels as stored, as cv2 reads them).
// Like the worker (pipeline.decode_frame), a picture over max_pixels is read reduced by 2, 4 or 8; its
// boxes are scaled back to the full frame, whose size is what is reported.
async function framePixels(blob) {
  const options = { imageOrientation: "from-image", colorSpaceConversion: "none", premultiplyAlpha: "none" };
  let bitmap = await createImageBitmap(blob, options);
  const full = { width: bitmap.width, height: bitmap.height };
  const factor = reduction(full.width, full.height);
  if (factor > 1) {
    const reduced = await createImageBitmap(bitmap, { resizeWidth: Math.ceil(full.width / factor),
      resizeHeight: Math.ceil(full.height / factor), resizeQuality: "medium" });
    bitmap.close();
    bitmap = reduced;
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { image: context.getImageData(0, 0, canvas.width, canvas.height), width: full.width, height: full.height };
}

function reduction(width, height) {
  for (const factor of [1, 2, 4]) {
    if (Math.floor(width / factor) * Math.floor(height / factor) <= config.max_pixels) return factor;
  }
  return 8;
}

// pipeline.Frame.to_full: a box in the reduced picture's pixels, in the full frame's.
function toFull(box, image, width, height) {
  if (image.width === width && image.height === height) return box;
  const sx = width / image.width;
  const sy = height / image.height;
  const x = Math.min(pyRound(box.x * sx), width);
  const y = Math.min(pyRound(box.y * sy), height);
  return { x: x, y: y, w: Math.min(pyRound(box.w * sx), width - x), h: Math.min(pyRound(box.h * sy), height - y),
    score: box.score };
}

// --- detection: YuNet as cv2.FaceDetectorYN runs it --------------------------------------------

function intersectionOverUnion(a, b) {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.w, b.x + b.w);
  const y1 = Math.min(a.y + a.h, b.y + b.h);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  return inter / (a.w * a.h + b.w * b.h - inter);
}

// OpenCV's face_detect.cpp: scores sqrt(cls * obj), boxes from the grid, then dnn::NMSBoxes on int boxes.
function decodeFaces(outputs, padWidth) {
  const found = [];
  STRIDES.forEach(function (stride) {
    const cols = padWidth / stride;
    const cls = outputs["cls_" + stride].data;
    const obj = outputs["obj_" + stride].data;
    const bbox = outputs["bbox_" + stride].data;
    for (let idx = 0; idx < cls.length; idx++) {
      const score = Math.fround(Math.sqrt(Math.fround(Math.min(Math.max(cls[idx], 0), 1) *
        Math.min(Math.max(obj[idx], 0), 1))));
      if (score < SCORE_THRESHOLD) continue;
      const r = Math.floor(idx / cols);
      const c = idx % cols;
      const cx = Math.fround((c + bbox[idx * 4]) * stride);
      const cy = Math.fround((r + bbox[idx * 4 + 1]) * stride);
      const w = Math.fround(Math.fround(Math.exp(bbox[idx * 4 + 2])) * stride);
      const h = Math.fround(Math.fround(Math.exp(bbox[idx * 4 + 3])) * stride);
      const x = Math.fround(cx - w / 2);
      const y = Math.fround(cy - h / 2);
      found.push({ x: Math.trunc(x), y: Math.trunc(y), w: Math.trunc(w), h: Math.trunc(h), score: score });
    }
  });
  const order = found.map(function (f, i) { return i; })
    .filter(function (i) { return found[i].score > SCORE_THRESHOLD; })
    .sort(function (a, b) { return found[b].score - found[a].score || a - b; });
  const kept = [];
  order.forEach(function (i) {
    if (kept.every(function (k) { return intersectionOverUnion(found[i], k) <= NMS_THRESHOLD; })) kept.push(found[i]);
  });
  return kept;
}

// --- the runtimes and networks, loaded once ---------------------------------------------------

let loading = null;

async function loadNetworks() {
  if (typeof WebAssembly !== "object" || typeof OffscreenCanvas !== "function") {
    throw new Error("this browser has no WebAssembly");
  }
  // Two chains side by side, each warmed up with one run on an empty input so that the first capture
  // does not pay for it: the detector (onnxruntime-web) and the emotion networks (LiteRT.js).
  const [detection, emotion] = await Promise.all([loadDetector(config.runtime), loadEmotionNetworks(config.runtime)]);
  return Object.assign(detection, emotion);
}

async function loadDetector(runtime) {
  const bytes = detectorBytes(config.detector);
  const ort = await import(runtime.ort);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = { mjs: new URL(runtime.ort_wasm_js, location.href).href,
    wasm: new URL(runtime.ort_wasm, location.href).href };
  const nets = { ort: ort, detector: await ort.InferenceSession.create(await bytes, { executionProviders: ["wasm"] }) };
  // Warmed at a 4:3 camera's size (320x240, run at 320x256): the shape most captures come in.
  await detectFaces(nets, { bgr: new Uint8ClampedArray(DETECT_SIDE * 240 * 3), width: DETECT_SIDE, height: 240 });
  return nets;
}

async function loadEmotionNetworks(runtime) {
  const bytes = config.members.map(function (member) { return modelBytes(member.url); });
  const litert = await import(runtime.litert);
  const relaxed = await litert.supportsFeature("relaxedSimd");
  const wasm = relaxed ? runtime.litert_wasm : runtime.litert_compat_wasm;
  // The Emscripten loader asks locateFile for its .wasm: give it the fingerprinted URL.
  self.Module = { locateFile: function () { return new URL(wasm, location.href).href; } };
  await litert.loadLiteRt(relaxed ? runtime.litert_wasm_js : runtime.litert_compat_wasm_js);
  const networks = [];
  for (let i = 0; i < bytes.length; i++) {
    networks.push({ model: await litert.loadAndCompile(await bytes[i], { accelerator: "wasm" }),
      weight: config.members[i].weight });
  }
  const nets = { litert: litert, networks: networks };
  await classify(nets, new Float32Array(FACE_SIZE * FACE_SIZE));
  return nets;
}

// The networks were exported with a free batch size ([-1, 48, 48, 1]), which LiteRT.js cannot run;
// the page runs one face at a time, so the input's shape signature is set to [1, 48, 48, 1] in the
// bytes as loaded (four bytes of the shape, never the weights; the file served stays as it is).
async function modelBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error("the model could not be downloaded (HTTP " + response.status + ")");
  const bytes = new Uint8Array(await response.arrayBuffer());
  const pattern = new Uint8Array(new Int32Array([4, -1, FACE_SIZE, FACE_SIZE, 1]).buffer);
  const at = indexOf(bytes, pattern);
  if (at >= 0) bytes.set(new Uint8Array(new Int32Array([1]).buffer), at + 4);
  return bytes;
}

// The YuNet file declares a 320x320 input and the shapes inside for it; OpenCV ignores them and runs the
// frame's own size, padded to multiples of 32, and so must the page to find the same boxes (a face
// read at another padding moves by a pixel or two). onnxruntime checks declared shapes, so they are
// dropped as the bytes load (graph value_info, and the shapes of inputs and outputs); weights and
// nodes are untouched, and the file served stays as it is.
async function detectorBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error("the face detector could not be downloaded (HTTP " + response.status + ")");
  return rewrite(new Uint8Array(await response.arrayBuffer()), {
    7: function (graph) {  // ModelProto.graph
      const valueInfo = { 2: function (type) { return rewrite(type, { 1: function (tensor) {
        return rewrite(tensor, { 2: null });  // TensorTypeProto.shape
      } }); } };  // ValueInfoProto.type -> TypeProto.tensor_type
      return rewrite(graph, {
        11: function (v) { return rewrite(v, valueInfo); },  // GraphProto.input
        12: function (v) { return rewrite(v, valueInfo); },  // GraphProto.output
        13: null,  // GraphProto.value_info
      });
    },
  });
}

// Protocol buffers, just enough to rewrite a message: ``edits`` maps a length-delimited field number to
// a function of its bytes (its new bytes) or to null (the field is dropped); other fields are copied.
function rewrite(bytes, edits) {
  const chunks = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    let key;
    [key, pos] = varint(bytes, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) {
      [, pos] = varint(bytes, pos);
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 2) {
      let length;
      [length, pos] = varint(bytes, pos);
      const payload = bytes.subarray(pos, pos + length);
      pos += length;
      if (field in edits) {
        if (edits[field] !== null) {
          const changed = edits[field](payload);
          chunks.push(Uint8Array.from(encodeVarint(key)), Uint8Array.from(encodeVarint(changed.length)), changed);
        }
        continue;
      }
    } else {
      throw new Error("the model file could not be read (wire type " + wire + ")");
    }
    chunks.push(bytes.subarray(start, pos));
  }
  const out = new Uint8Array(chunks.reduce(function (n, c) { return n + c.length; }, 0));
  let at = 0;
  chunks.forEach(function (c) { out.set(c, at); at += c.length; });
  return out;
}

function varint(bytes, pos) {
  let value = 0;
  let scale = 1;
  let byte;
  do {
    byte = bytes[pos++];
    value += (byte & 0x7f) * scale;
    scale *= 128;
  } while (byte & 0x80);
  return [value, pos];
}

function encodeVarint(value) {
  const out = [];
  while (value > 127) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

function indexOf(haystack, needle) {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function networksReady() {
  if (!loading) {
    loading = loadNetworks();
    loading.catch(function () { loading = null; });
  }
  return loading;
}

// --- reading a frame --------------------------------------------------------------------------

async function detectFaces(nets, frame) {
  const scale = Math.min(1, DETECT_SIDE / Math.max(frame.width, frame.height));
  let small = frame.bgr;
  let width = frame.width;
  let height = frame.height;
  if (scale < 1) {
    // cv2.resize(image, None, fx=scale, fy=scale, INTER_AREA): the size rounds, the cells use 1 / scale.
    width = pyRound(frame.width * scale);
    height = pyRound(frame.height * scale);
    small = resizeArea(frame.bgr, frame.width, frame.height, 3, width, height, 1 / scale, 1 / scale);
  }
  // As cv2.FaceDetectorYN: the copy padded with black, right and bottom, to multiples of 32.
  const padWidth = Math.ceil(width / 32) * 32;
  const padHeight = Math.ceil(height / 32) * 32;
  const plane = padWidth * padHeight;
  const input = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = y * padWidth + x;
      input[d] = small[s];
      input[plane + d] = small[s + 1];
      input[2 * plane + d] = small[s + 2];
    }
  }
  const tensor = new nets.ort.Tensor("float32", input, [1, 3, padHeight, padWidth]);
  const outputs = await nets.detector.run({ [nets.detector.inputNames[0]]: tensor });
  const boxes = decodeFaces(outputs, padWidth);
  Object.values(outputs).forEach(function (t) { if (t.dispose) t.dispose(); });
  // Largest first (a stable sort, as Python's), then back to the frame's pixels.
  boxes.sort(function (a, b) { return b.w * b.h - a.w * a.h; });
  if (scale === 1) return boxes;
  return boxes.map(function (b) {
    return { x: pyRound(b.x / scale), y: pyRound(b.y / scale), w: pyRound(b.w / scale), h: pyRound(b.h / scale),
      score: b.score };
  });
}

// emotion.vision.preprocess.crop_face + face_to_input: a square with a margin, edges replicated, 48x48.
function faceInput(frame, box) {
  const side = pyRound(Math.max(box.w, box.h) * (1 + 2 * CROP_MARGIN));
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const x0 = pyRound(cx - side / 2);
  const y0 = pyRound(cy - side / 2);
  const crop = new Uint8ClampedArray(side * side);
  for (let y = 0; y < side; y++) {
    const sy = Math.min(Math.max(y0 + y, 0), frame.height - 1);
    for (let x = 0; x < side; x++) {
      const sx = Math.min(Math.max(x0 + x, 0), frame.width - 1);
      crop[y * side + x] = frame.gray[sy * frame.width + sx];
    }
  }
  let face = crop;
  if (side > FACE_SIZE) {
    face = resizeArea(crop, side, side, 1, FACE_SIZE, FACE_SIZE, side / FACE_SIZE, side / FACE_SIZE);
  } else if (side < FACE_SIZE) {
    face = resizeLinear(crop, side, side, FACE_SIZE, FACE_SIZE);
  }
  const input = new Float32Array(FACE_SIZE * FACE_SIZE);
  for (let i = 0; i < input.length; i++) input[i] = face[i] / 255;
  return input;
}

async function runNetwork(nets, model, input) {
  const tensor = new nets.litert.Tensor(input, [1, FACE_SIZE, FACE_SIZE, 1]);
  const outputs = await model.run(tensor);
  tensor.delete();
  const output = Array.isArray(outputs) ? outputs[0] : Object.values(outputs)[0];
  const values = Float32Array.from(output.toTypedArray());
  (Array.isArray(outputs) ? outputs : Object.values(outputs)).forEach(function (t) { t.delete(); });
  return values;
}

// EmotionClassifier.predict for one face: the card's blend, optional flip TTA, then the decision step.
async function classify(nets, input) {
  const blend = async function (face) {
    const sum = new Float32Array(config.emotions.length);
    for (const network of nets.networks) {
      const p = await runNetwork(nets, network.model, face);
      for (let i = 0; i < sum.length; i++) sum[i] += Math.fround(network.weight * p[i]);
    }
    return sum;
  };
  let p = await blend(input);
  if (config.flip_tta) {
    const mirrored = new Float32Array(input.length);
    for (let y = 0; y < FACE_SIZE; y++) {
      for (let x = 0; x < FACE_SIZE; x++) mirrored[y * FACE_SIZE + x] = input[y * FACE_SIZE + FACE_SIZE - 1 - x];
    }
    const q = await blend(mirrored);
    p = p.map(function (v, i) { return (v + q[i]) / 2; });
  }
  return decide(Array.from(p));
}

function decide(p) {
  const offsets = config.decision.offsets;
  const temperature = config.decision.temperature;
  if (temperature === 1 && offsets.every(function (o) { return o === 0; })) return p;
  const logits = p.map(function (v, i) { return (Math.log(Math.max(v, EPS)) + offsets[i]) / temperature; });
  const top = Math.max.apply(null, logits);
  const scaled = logits.map(function (l) { return Math.exp(l - top); });
  const total = scaled.reduce(function (a, b) { return a + b; }, 0);
  return scaled.map(function (s) { return s / total; });
}

// Read every face in a picture; nothing leaves the page. Boxes are clamped to the frame for sending.
async function readPicture(blob) {
  const nets = await networksReady();
  const decodeStart = performance.now();
  const decoded = await framePixels(blob);
  const width = decoded.width;
  const height = decoded.height;
  const frame = planes(decoded.image.data, decoded.image.width, decoded.image.height);
  const t0 = performance.now();
  const boxes = await detectFaces(nets, frame);
  const t1 = performance.now();
  const faces = [];
  for (const found of boxes) {
    const p = await classify(nets, faceInput(frame, found));
    const box = toFull(found, decoded.image, width, height);
    const x = Math.min(Math.max(box.x, 0), width - 1);
    const y = Math.min(Math.max(box.y, 0), height - 1);
    faces.push({
      box: { x: x, y: y, w: Math.max(1, Math.min(box.x + box.w, width) - x),
        h: Math.max(1, Math.min(box.y + box.h, height) - y) },
      detector_score: Math.round(box.score * 1e4) / 1e4,
      probabilities: Object.fromEntries(config.emotions.map(function (e, i) { return [e, p[i]]; })),
    });
  }
  const t2 = performance.now();
  return { width: width, height: height, faces: faces,
    timings: { detect: round2(t1 - t0), classify: round2(t2 - t1), decode: round2(t0 - decodeStart) } };
}

function round2(ms) {
  return Math.round(ms * 100) / 100;
}

// --- the choice on the page --------------------------------------------------------------------

const toggle = $("private-toggle");
const status = $("private-status");
// The capture page's note says the picture is sent and deleted: true only while private mode is off.
const serverNote = $("privacy-note");

function showMode() {
  if (serverNote) serverNote.classList.toggle("hidden", reader.enabled());
}

function say(text, warning) {
  status.textContent = text;
  status.classList.toggle("warning", Boolean(warning));
}

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1) + " MB";
}

async function switchOn() {
  say("Getting private mode ready (a one-time download of " + megabytes(config.download_bytes) +
    ", kept by your browser)…");
  try {
    await networksReady();
    if (toggle.checked) say("Private mode is on: your picture stays on this device; only the result is sent.");
    showMode();
  } catch (err) {
    toggle.checked = false;
    toggle.disabled = true;
    say("Private mode cannot run in this browser (" + (err && err.message ? err.message : err) +
      "). Captures are read by the server as usual: the picture is sent, analysed and deleted.", true);
    showMode();
  }
}

const reader = {
  enabled: function () { return toggle.checked && !toggle.disabled; },
  // Read the picture here and record only the result; answers the capture as the API returns it.
  record: async function (blob, source, liveSession) {
    const reading = await readPicture(blob);
    const body = {
      width: reading.width, height: reading.height, source: source, on_device: true,
      model_version: config.model_version, faces: reading.faces,
      timings: { detect: reading.timings.detect, classify: reading.timings.classify },
    };
    if (liveSession) body.live_session = liveSession;
    return MM.postJson(config.record, body);
  },
  read: readPicture,
  ready: networksReady,
};
MM.privateReader = reader;

toggle.checked = Boolean(config.default_on);
$("private-mode").classList.remove("hidden");
$("private-size").textContent = megabytes(config.download_bytes);
toggle.addEventListener("change", function () {
  showMode();
  if (toggle.checked) switchOn();
  else say("Private mode is off: the picture you take is sent to the server, analysed and deleted.");
});
showMode();
if (toggle.checked) switchOn();
