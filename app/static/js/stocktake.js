// The stocktake scan station: scans go through fetch, so the focus never leaves the scan
// field, and scans typed while one is in flight are queued, not lost (a USB scanner types
// a code and Enter in a few milliseconds). Each result answers at once with its colour
// (the panel), its words and its own short sound, made here with the Web Audio API.
// Without JavaScript the same form works as a plain POST.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var panel = document.getElementById("stocktake-panel");
  if (!form || !panel) { return; }
  var field = form.querySelector("[name=code]");
  var sound = document.getElementById("stocktake-sound");
  var RECENT = 10;
  // This page's own id: the shelf order is checked per device, so one account on the café
  // PC and on a phone reads two shelves without mixing them up.
  var lane = form.querySelector("[data-lane]");
  if (lane && window.crypto && window.crypto.getRandomValues) {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    lane.value = Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  var queue = [];
  var busy = false;
  var audio = null;

  try {
    if (window.localStorage.getItem("stocktake-sound") === "off") { sound.checked = false; }
  } catch (e) { /* private mode: keep the default */ }
  sound.addEventListener("change", function () {
    try { window.localStorage.setItem("stocktake-sound", sound.checked ? "on" : "off"); } catch (e) { }
    focusField();
  });

  function focusField() {
    if (document.activeElement !== field) { field.focus(); }
  }

  // One tone: frequency (Hz), start and length (s) from now, wave shape.
  function tone(ctx, frequency, start, length, type) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = type;
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.25, ctx.currentTime + start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + length);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(ctx.currentTime + start);
    osc.stop(ctx.currentTime + start + length + 0.02);
  }

  // A distinct sound for each result, told apart without looking at the screen.
  var SOUNDS = {
    found: [[1046, 0, 0.09, "sine"]],
    found_on_loan: [[660, 0, 0.1, "sine"], [990, 0.12, 0.14, "sine"]],
    not_in_scope: [[880, 0, 0.1, "triangle"], [440, 0.12, 0.16, "triangle"]],
    out_of_order: [[740, 0, 0.06, "square"], [740, 0.09, 0.06, "square"], [740, 0.18, 0.06, "square"]],
    withdrawn: [[330, 0, 0.35, "triangle"]],
    unknown: [[196, 0, 0.4, "square"]],
    already_scanned: [[523, 0, 0.04, "sine"]],
    reinstated: [[784, 0, 0.08, "sine"], [1046, 0.1, 0.1, "sine"]],
    error: [[150, 0, 0.5, "sawtooth"]]
  };

  function play(result) {
    // Which sound played is kept on the page (for the tests, and for a screen reader's log).
    document.body.setAttribute("data-last-sound", result);
    if (!sound.checked) { return; }
    var Context = window.AudioContext || window.webkitAudioContext;
    var notes = SOUNDS[result];
    if (!Context || !notes) { return; }
    try {
      audio = audio || new Context();
      if (audio.state === "suspended") { audio.resume(); }
      notes.forEach(function (n) { tone(audio, n[0], n[1], n[2], n[3]); });
    } catch (e) { /* no sound device: the screen says it all */ }
  }

  // The volunteer's last scans: each answer brings its own line, put at the top.
  function remember() {
    var list = document.getElementById("my-scans");
    var entry = panel.querySelector("template[data-scan-entry]");
    if (!list || !entry || !entry.content.firstElementChild) { return; }
    list.insertBefore(entry.content.firstElementChild.cloneNode(true), list.firstChild);
    while (list.children.length > RECENT) { list.removeChild(list.lastChild); }
    var empty = document.getElementById("no-scans");
    if (empty) { empty.remove(); }
  }

  function show(html) {
    panel.innerHTML = html;
    remember();
    var result = panel.querySelector("[data-result]");
    if (result) { play(result.getAttribute("data-result")); }
    focusField();
  }

  function failed(message) {
    var box = document.createElement("div");
    box.className = "result st-result st-unknown";
    box.setAttribute("data-result", "error");
    box.setAttribute("data-testid", "scan-result");
    box.setAttribute("role", "alert");
    var title = document.createElement("h2");
    title.setAttribute("data-testid", "result-title");
    title.textContent = message;
    box.appendChild(title);
    var old = panel.querySelector("[data-testid=scan-result]");
    if (old) { old.replaceWith(box); } else { panel.insertBefore(box, panel.firstChild); }
    play("error");
    focusField();
  }

  function next() {
    if (busy || queue.length === 0) { return; }
    busy = true;
    var job = queue.shift();
    window.fetch(job.action, {
      method: "POST", body: job.data, credentials: "same-origin",
      headers: { "X-Stocktake-Fetch": "1" }
    }).then(function (response) {
      if (response.redirected) { window.location.href = response.url; return null; }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      if (html !== null) { show(html); }
    }).catch(function (error) {
      failed(panel.getAttribute("data-error") || ("Error " + error.message));
    }).then(function () {
      busy = false;
      next();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!field.value.trim()) { focusField(); return; }
    var data = new FormData(form);
    field.value = "";
    queue.push({ action: form.action, data: data });
    next();
    focusField();
  });

  // Buttons in the panel (put a withdrawn copy back) go the same way.
  panel.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.hasAttribute("data-stocktake-action")) { return; }
    event.preventDefault();
    queue.push({ action: target.action, data: new FormData(target) });
    next();
    focusField();
  });

  // Focus always comes back to the scan field, so the next scan needs no click.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("a, input, select, textarea, label")) {
      window.setTimeout(focusField, 0);
    }
  });
  field.addEventListener("blur", function () {
    window.setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body) { focusField(); }
    }, 0);
  });
  window.addEventListener("focus", focusField);
  focusField();
})();
