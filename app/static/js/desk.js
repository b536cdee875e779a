// The lending desk: scans go through fetch so the focus never leaves the scan field and
// scans typed while one is in flight are queued, not lost. Without JavaScript the same
// forms work as plain POST + redirect.
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var panel = document.getElementById("desk-panel");
  if (!form || !panel) { return; }
  var field = form.querySelector("[name=code]");
  var sound = document.getElementById("desk-sound");
  var idleSeconds = parseInt(panel.getAttribute("data-idle"), 10) || 120;
  var queue = [];
  var busy = false;
  var idleTimer = null;
  var audio = null;

  // Sound on or off is remembered on this desk PC.
  try {
    if (window.localStorage.getItem("desk-sound") === "off") { sound.checked = false; }
  } catch (e) { /* private mode: keep the default */ }
  sound.addEventListener("change", function () {
    try { window.localStorage.setItem("desk-sound", sound.checked ? "on" : "off"); } catch (e) { }
    focusField();
  });

  function focusField() {
    if (document.activeElement !== field) { field.focus(); }
  }

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

  // Success: one short high beep; hold shelf: two rising beeps; refusal: a low buzz.
  function beep(outcome) {
    if (!sound.checked) { return; }
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    try {
      audio = audio || new Context();
      if (outcome === "ok") { tone(audio, 1046, 0, 0.12, "sine"); }
      else if (outcome === "hold") { tone(audio, 784, 0, 0.12, "sine"); tone(audio, 1175, 0.15, 0.16, "sine"); }
      else if (outcome === "refused") { tone(audio, 196, 0, 0.4, "square"); }
      else { tone(audio, 660, 0, 0.08, "sine"); }
    } catch (e) { /* no sound device: the screen says it all */ }
  }

  function resetIdle() {
    if (idleTimer) { window.clearTimeout(idleTimer); idleTimer = null; }
    var current = panel.querySelector("[data-borrower]");
    if (current && current.getAttribute("data-borrower")) {
      idleTimer = window.setTimeout(function () { send("clear-form"); }, idleSeconds * 1000);
    }
  }

  function show(html) {
    panel.innerHTML = html;
    var result = panel.querySelector("[data-outcome]");
    if (result) { beep(result.getAttribute("data-outcome")); }
    resetIdle();
    focusField();
  }

  function failed(message) {
    panel.innerHTML = "";
    var box = document.createElement("div");
    box.className = "result result-refused desk-result";
    box.setAttribute("data-outcome", "refused");
    box.setAttribute("data-testid", "desk-result");
    var title = document.createElement("h2");
    title.setAttribute("data-testid", "result-title");
    title.textContent = message;
    box.appendChild(title);
    panel.appendChild(box);
    beep("refused");
    focusField();
  }

  function next() {
    if (busy || queue.length === 0) { return; }
    busy = true;
    var job = queue.shift();
    window.fetch(job.action, {
      method: "POST", body: job.data, credentials: "same-origin",
      headers: { "X-Desk-Fetch": "1" }
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

  function send(formId) {
    var target = document.getElementById(formId);
    if (target) { queue.push({ action: target.action, data: new FormData(target) }); next(); }
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

  // Buttons in the panel (mode, next member, renew, choose a member) go the same way.
  panel.addEventListener("submit", function (event) {
    var target = event.target;
    if (!target.hasAttribute("data-desk-action")) { return; }
    event.preventDefault();
    queue.push({ action: target.action, data: new FormData(target) });
    next();
    focusField();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); send("clear-form"); focusField(); }
    else if (event.key === "F2") { event.preventDefault(); send("mode-form"); focusField(); }
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
  resetIdle();
  focusField();
})();
