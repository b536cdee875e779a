// A phone's camera as the scanner, on any scan form that opts in: the element with
// data-scan-camera inside the form opens the rear camera; a code read twice alike in a row
// is typed into the form's scan field and the form is submitted, exactly as a USB
// scanner's Enter does (so the double-scan rule, routing by prefix... stay in one place).
// A textarea (one code per line) gets the code and a new line instead.
//
// Decoding: ZXing-C++ as WebAssembly (app/static/vendor/zxing-wasm, served by the app,
// never a CDN), which reads an ISBN's 5-digit add-on (부가기호) as the 18 digits a USB
// scanner sends; the browser's own BarcodeDetector first where it exists (it is fast, but
// it ignores add-ons, so a book's EAN-13 it reads is read again by ZXing for its add-on).
(function () {
  "use strict";
  if (window.scanCamera) { return; }
  var script = document.currentScript;
  var VENDOR = script && script.getAttribute("data-vendor");
  var ZXING_FORMATS = ["EAN13", "EAN8", "Code128", "QRCode"];
  var NATIVE_FORMATS = ["ean_13", "ean_8", "code_128", "qr_code"];
  var MAX_WIDTH = 1280;
  var zxing = null;   // promise of the ZXingWASM module, once loaded
  var native = null;  // a BarcodeDetector, where the browser has one
  var open = null;    // the open preview: {form, button, stream, video, overlay, ...}

  function state(name, value) {
    document.documentElement.setAttribute("data-camera-state", name);
    if (value !== undefined) {
      document.documentElement.setAttribute("data-camera-code", value);
    }
  }
  state("closed");

  function loadZxing() {
    if (zxing) { return zxing; }
    zxing = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = VENDOR + "zxing-reader.js";
      tag.onload = function () {
        // The .wasm comes from this app: never the loader's default CDN address.
        window.ZXingWASM.prepareZXingModule({
          overrides: { locateFile: function (path) { return VENDOR + path; } },
          fireImmediately: true
        });
        resolve(window.ZXingWASM);
      };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
    return zxing;
  }

  function nativeDetector() {
    if (native !== null) { return native; }
    native = false;
    if ("BarcodeDetector" in window) {
      try { native = new window.BarcodeDetector({ formats: NATIVE_FORMATS }); } catch (e) { native = false; }
    }
    return native;
  }

  function readZxing(image) {
    return loadZxing().then(function (lib) {
      return lib.readBarcodes(image, {
        formats: ZXING_FORMATS, eanAddOnSymbol: "Read", tryHarder: true, maxNumberOfSymbols: 1
      });
    }).then(function (results) {
      var good = results.filter(function (r) { return r.isValid && r.text; });
      return good.length ? good[0].text : null;
    });
  }

  // One frame: the code in it, or null.
  function read(canvas, context) {
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var detector = nativeDetector();
    if (!detector) { return readZxing(image); }
    return detector.detect(canvas).then(function (found) {
      if (!found.length) { return null; }
      var code = found[0].rawValue;
      if (!/^97[89]\d{10}$/.test(code)) { return code; }
      return readZxing(image).then(function (full) {
        return full && full.indexOf(code) === 0 ? full : code;
      }, function () { return code; });
    });
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    try {
      if (Context) {
        var audio = open.audio || (open.audio = new Context());
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 1318;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start();
        osc.stop(audio.currentTime + 0.08);
      }
    } catch (e) { /* no sound device */ }
    if (navigator.vibrate) { try { navigator.vibrate(60); } catch (e) { } }
  }

  function field(form) {
    return form.querySelector(
      "[data-scan-field], .scan-field, textarea, input[type=text], input[type=search]");
  }

  // A code read twice alike is typed in; it is not taken again until it has left the view,
  // so a book held in front of the camera is one scan.
  function accept(code) {
    var target = field(open.form);
    state("open", code);
    beep();
    if (!target) { return; }
    if (target.tagName === "TEXTAREA") {
      target.value = (target.value && !/\n$/.test(target.value) ? target.value + "\n" : target.value) + code + "\n";
      return;
    }
    target.value = code;
    if (open.form.requestSubmit) { open.form.requestSubmit(); } else { open.form.submit(); }
  }

  function loop() {
    if (!open) { return; }
    var video = open.video;
    if (video.readyState < 2 || !video.videoWidth) { window.setTimeout(loop, 50); return; }
    if (!open.firstFrame) {
      open.firstFrame = performance.now();
      document.documentElement.setAttribute("data-camera-state", "open");
    }
    var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    open.canvas.width = Math.round(video.videoWidth * scale);
    open.canvas.height = Math.round(video.videoHeight * scale);
    open.context.drawImage(video, 0, 0, open.canvas.width, open.canvas.height);
    var current = open;
    read(open.canvas, open.context).then(function (code) {
      if (open !== current) { return; }
      if (code === null) {
        current.misses += 1;
        if (current.misses >= 5) { current.taken = null; }
        current.last = null;
        return;
      }
      current.misses = 0;
      if (code === current.last && code !== current.taken) {
        current.taken = code;
        // How long from the first frame to the code (read by the tests, shown to no one).
        document.documentElement.setAttribute("data-camera-ms",
          String(Math.round(performance.now() - current.firstFrame)));
        accept(code);
      }
      current.last = code;
    }, function () { /* a frame the decoder refused: take the next */ }).then(function () {
      if (open === current) { window.setTimeout(loop, 30); }
    });
  }

  function close() {
    if (!open) { return; }
    open.stream.getTracks().forEach(function (track) { track.stop(); });
    open.overlay.remove();
    var target = field(open.form);
    open = null;
    state("closed");
    if (target) { target.focus(); }
  }

  function button(text, testid, onclick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("data-testid", testid);
    b.addEventListener("click", onclick);
    return b;
  }

  function start(trigger) {
    close();
    var form = trigger.closest("form");
    var overlay = document.createElement("div");
    overlay.className = "scan-camera";
    overlay.setAttribute("data-testid", "scan-camera");
    overlay.setAttribute("role", "dialog");
    var video = document.createElement("video");
    video.setAttribute("playsinline", "");
    video.muted = true;
    var status = document.createElement("p");
    status.className = "scan-camera-status";
    status.textContent = trigger.getAttribute("data-label-aim") || "";
    var bar = document.createElement("div");
    bar.className = "scan-camera-bar";
    bar.appendChild(button(trigger.getAttribute("data-label-close") || "×", "scan-camera-close", close));
    overlay.appendChild(video);
    overlay.appendChild(status);
    overlay.appendChild(bar);
    document.body.appendChild(overlay);
    var canvas = document.createElement("canvas");
    open = { form: form, overlay: overlay, video: video, canvas: canvas, stream: null,
             context: canvas.getContext("2d", { willReadFrequently: true }),
             last: null, taken: null, misses: 0, firstFrame: 0 };
    state("starting");
    if (!nativeDetector()) { loadZxing(); }  // fetch the decoder while the camera starts
    var current = open;
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }
    }).then(function (stream) {
      if (open !== current) { stream.getTracks().forEach(function (t) { t.stop(); }); return; }
      current.stream = stream;
      video.srcObject = stream;
      video.play();
      var track = stream.getVideoTracks()[0];
      var caps = track.getCapabilities ? track.getCapabilities() : {};
      if (caps.torch) {
        var on = false;
        bar.appendChild(button(trigger.getAttribute("data-label-torch") || "Torch", "scan-camera-torch", function () {
          on = !on;
          track.applyConstraints({ advanced: [{ torch: on }] }).catch(function () { });
        }));
      }
      loop();
    }).catch(function () {
      current.stream = { getTracks: function () { return []; } };
      status.textContent = trigger.getAttribute("data-label-error") || "";
      state("error");
    });
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest && event.target.closest("[data-scan-camera]");
    if (!trigger) { return; }
    event.preventDefault();
    start(trigger);
  });
  document.addEventListener("keydown", function (event) {
    if (open && event.key === "Escape") {  // closes the camera only, not the desk's member
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  }, true);

  // The buttons show only with a camera API (not in an old browser, nor on a page not
  // served over HTTPS).
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-scan-camera]"), function (b) {
      b.hidden = false;
    });
  }
  window.scanCamera = { close: close };
})();
