/**
 * The browser side of the proof of work, as plain ES5-style JavaScript text inlined into the challenge page.
 *
 * `rampartWorker(scope)` is the Web Worker body: it is started from a Blob of its own source
 * (`'(' + rampartWorker.toString() + ')(self)'`), so the page loads nothing external. It hashes with
 * `crypto.subtle.digest('SHA-256')` in batches of promises, and falls back to a pure-JS SHA-256 where SubtleCrypto
 * is missing (plain http on a non-local host is not a secure context). When a Worker cannot be created (old
 * browser, CSP), the same function runs on the page with a fake scope.
 *
 * Messages in: `{ challenge, bits, batch }`. Out: `{ type: 'progress', tries }`, `{ type: 'done', nonce, tries }`.
 * Keep this text free of `</script` and of template-literal placeholders.
 */

export const WORKER_FUNCTION_JS = String.raw`function rampartWorker(scope) {
  function primes(n) {
    var out = [], c = 2;
    while (out.length < n) {
      var isPrime = true;
      for (var i = 0; i < out.length && out[i] * out[i] <= c; i++) if (c % out[i] === 0) { isPrime = false; break; }
      if (isPrime) out.push(c);
      c++;
    }
    return out;
  }
  var P = primes(64), K = [], H0 = [];
  for (var i = 0; i < 64; i++) K.push(Math.floor((Math.cbrt(P[i]) % 1) * 4294967296) | 0);
  for (var j = 0; j < 8; j++) H0.push(Math.floor((Math.sqrt(P[j]) % 1) * 4294967296) | 0);
  var W = new Int32Array(64);
  function ror(x, n) { return (x >>> n) | (x << (32 - n)); }
  function sha256(msg) {
    var l = msg.length, n = ((l + 9 + 63) >> 6) << 6, p = new Uint8Array(n), H = H0.slice();
    p.set(msg); p[l] = 0x80;
    var hi = Math.floor(l / 536870912), lo = (l << 3) >>> 0;
    p[n - 8] = hi >>> 24; p[n - 7] = hi >>> 16; p[n - 6] = hi >>> 8; p[n - 5] = hi;
    p[n - 4] = lo >>> 24; p[n - 3] = lo >>> 16; p[n - 2] = lo >>> 8; p[n - 1] = lo;
    for (var off = 0; off < n; off += 64) {
      for (var t = 0; t < 16; t++) {
        var q = off + 4 * t;
        W[t] = (p[q] << 24) | (p[q + 1] << 16) | (p[q + 2] << 8) | p[q + 3];
      }
      for (t = 16; t < 64; t++) {
        var x = W[t - 15], y = W[t - 2];
        var s0 = ror(x, 7) ^ ror(x, 18) ^ (x >>> 3), s1 = ror(y, 17) ^ ror(y, 19) ^ (y >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25), ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22), maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    var out = new Uint8Array(32);
    for (var k = 0; k < 8; k++) {
      out[4 * k] = H[k] >>> 24; out[4 * k + 1] = H[k] >>> 16; out[4 * k + 2] = H[k] >>> 8; out[4 * k + 3] = H[k];
    }
    return out;
  }
  function zeroBits(d) {
    var bits = 0;
    for (var i = 0; i < d.length; i++) {
      if (d[i] === 0) { bits += 8; continue; }
      return bits + Math.clz32(d[i]) - 24;
    }
    return bits;
  }
  var enc = new TextEncoder();
  var subtle = scope.crypto && scope.crypto.subtle && typeof scope.crypto.subtle.digest === 'function'
    ? scope.crypto.subtle : null;
  scope.rampartSha256 = sha256;
  scope.onmessage = function (ev) {
    var challenge = String(ev.data.challenge), bits = ev.data.bits | 0, batch = ev.data.batch || 256, n = 0;
    function done(nonce) { scope.postMessage({ type: 'done', nonce: String(nonce), tries: nonce + 1 }); }
    function plain() {
      var end = n + batch * 16;
      for (; n < end; n++) {
        if (zeroBits(sha256(enc.encode(challenge + n))) >= bits) { done(n); return; }
      }
      scope.postMessage({ type: 'progress', tries: n });
      setTimeout(plain, 0);
    }
    function viaSubtle() {
      var ps = [];
      for (var i = 0; i < batch; i++) ps.push(subtle.digest('SHA-256', enc.encode(challenge + (n + i))));
      Promise.all(ps).then(function (ds) {
        for (var i = 0; i < ds.length; i++) {
          if (zeroBits(new Uint8Array(ds[i])) >= bits) { done(n + i); return; }
        }
        n += batch;
        scope.postMessage({ type: 'progress', tries: n });
        viaSubtle();
      }, function () { subtle = null; plain(); });
    }
    if (subtle) viaSubtle(); else plain();
  };
}`;

/** The page's main script: reads the JSON config, runs the worker, shows progress, submits the form. */
export const MAIN_JS = String.raw`(function () {
  var cfg = JSON.parse(document.getElementById('rampart-config').textContent);
  var form = document.getElementById('rampart-form');
  var bar = document.getElementById('rampart-bar');
  var status = document.getElementById('rampart-status');
  var expected = Math.pow(2, cfg.bits), finished = false, started = false;
  document.getElementById('rampart-js').hidden = false;
  function onMessage(m) {
    if (finished) return;
    if (m.type === 'progress') {
      var pct = Math.min(99, Math.round(100 * (1 - Math.exp(-m.tries / expected))));
      bar.style.width = pct + '%';
      status.textContent = 'Checking your browser\u2026 ' + pct + '%';
    } else if (m.type === 'done') {
      finished = true;
      bar.style.width = '100%';
      status.textContent = 'Verified. Taking you to the site\u2026';
      form.elements.nonce.value = m.nonce;
      form.submit();
    }
  }
  function onPage() {
    if (started) return;
    started = true;
    var fake = { crypto: window.crypto, onmessage: null, postMessage: function (d) { setTimeout(function () { onMessage(d); }, 0); } };
    rampartWorker(fake);
    fake.onmessage({ data: cfg });
  }
  try {
    var src = '(' + rampartWorker.toString() + ')(self);';
    var url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    var w = new Worker(url);
    w.onmessage = function (e) { started = true; onMessage(e.data); };
    w.onerror = function (e) { if (e && e.preventDefault) e.preventDefault(); onPage(); };
    w.postMessage(cfg);
  } catch (e) {
    onPage();
  }
})();`;
