// Scans that survive a dropped network, on a scan form marked data-scan-queue (the intake,
// desk and stocktake stations). Each scan gets its own idempotency key when it is made and
// is kept in this browser (localStorage) until the server has answered it; the list of
// scans still waiting is shown under the form. A scan whose request fails or times out
// stays queued, marked, and is sent again (same key) when the network is back: the server
// answers a repeated key with its first answer and does nothing twice.
//
// The station's own script still sends each scan and shows its answer: this file gives
// the form an `idempotency_key` field before the station reads it, and stands behind
// window.fetch for that form's address, so the station's request simply takes as long as
// the network is away. The stations send one scan after another, so the order holds.
(function () {
  "use strict";
  if (window.scanQueue) { return; }
  var STORE = "scan-queue";
  var TIMEOUT_MS = 15000;
  var RETRY_MS = 3000;
  var GATEWAY = [502, 503, 504];  // a proxy's answer while the app restarts: not an answer
  var realFetch = window.fetch.bind(window);
  var waiting = {};   // key -> callbacks of a request held until the network is back
  var online = null;  // promise that resolves when the network is back

  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("form[data-scan-queue]"));
  }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }

  function save(entries) {
    try { window.localStorage.setItem(STORE, JSON.stringify(entries)); } catch (e) { /* full or private */ }
    show(entries);
  }

  function update(key, change) {
    var entries = load();
    entries.forEach(function (entry) { if (entry.key === key) { change(entry); } });
    save(entries.filter(function (entry) { return !entry.done; }));
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function absolute(url) { return new URL(url, window.location.href).href; }

  function ours(action) {
    return forms().some(function (form) { return absolute(form.action) === action; });
  }

  // The visible queue: how many scans wait, and which, each marked with its state.
  function show(entries) {
    forms().forEach(function (form) {
      var box = form.querySelector("[data-scan-queue-box]");
      if (!box) { return; }
      var mine = entries.filter(function (e) { return e.action === absolute(form.action); });
      box.hidden = mine.length === 0;
      box.setAttribute("data-count", String(mine.length));
      var count = box.querySelector("[data-scan-queue-count]");
      if (count) { count.textContent = String(mine.length); }
      var list = box.querySelector("ol");
      if (!list) { return; }
      list.innerHTML = "";
      mine.forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "scan-queue-item scan-queue-" + entry.state;
        item.setAttribute("data-state", entry.state);
        var code = document.createElement("span");
        code.setAttribute("data-testid", "queued-code");
        code.textContent = entry.code;
        item.appendChild(code);
        if (entry.state === "waiting") {
          var note = document.createElement("small");
          note.textContent = " (" + (box.getAttribute("data-label-waiting") || "…") + ")";
          item.appendChild(note);
        }
        list.appendChild(item);
      });
    });
  }

  function networkBack() {
    if (!online) {
      online = new Promise(function (resolve) {
        var timer = null;
        function done() {
          window.removeEventListener("online", done);
          window.clearInterval(timer);
          online = null;
          resolve();
        }
        window.addEventListener("online", done);
        // "online" is not always fired (a server that was down, a captive portal): try anyway.
        timer = window.setInterval(function () { if (navigator.onLine) { done(); } }, RETRY_MS);
      });
    }
    return online;
  }

  function attempt(action, init) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    var options = Object.assign({}, init, controller ? { signal: controller.signal } : {});
    return realFetch(action, options).then(function (response) {
      window.clearTimeout(timer);
      return response;
    }, function (error) {
      window.clearTimeout(timer);
      throw error;
    });
  }

  // Send one kept scan until the server answers it (any answer: a refusal is an answer).
  function deliver(entry, init) {
    update(entry.key, function (e) { e.state = "sending"; });
    return attempt(entry.action, init).then(function (response) {
      if (GATEWAY.indexOf(response.status) !== -1) { throw new Error(String(response.status)); }
      update(entry.key, function (e) { e.done = true; });
      return response;
    }, function () {
      update(entry.key, function (e) { e.state = "waiting"; e.tries = (e.tries || 0) + 1; });
      return networkBack().then(function () { return deliver(entry, init); });
    });
  }

  function bodyOf(fields) {
    var data = new FormData();
    fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    return data;
  }

  // A scan is kept the moment it is made (before the station's script sends it).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-scan-queue")) { return; }
    var input = form.querySelector("input[name=idempotency_key]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "idempotency_key";
      form.appendChild(input);
    }
    var code = form.querySelector(".scan-field, [data-scan-field]");
    if (code && !code.value.trim()) { input.value = ""; return; }  // nothing scanned
    input.value = newKey();
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); }
    });
    var entries = load();
    entries.push({ key: input.value, action: absolute(form.action), fields: fields,
                   code: code ? code.value.trim() : "", state: "queued", at: Date.now() });
    save(entries);
  }, true);

  window.fetch = function (input, init) {
    var action = absolute(typeof input === "string" ? input : input.url);
    var body = init && init.body;
    var key = body instanceof FormData ? body.get("idempotency_key") : null;
    if (!key || !init.method || init.method.toUpperCase() !== "POST" || !ours(action)) {
      return realFetch(input, init);
    }
    var entry = load().filter(function (e) { return e.key === key; })[0];
    if (!entry) { return realFetch(input, init); }
    return deliver(entry, init);
  };

  // Scans kept when the page was closed (or reloaded) before they were answered: send them,
  // in order, then show the station as the server now has it.
  function resume() {
    var left = load().filter(function (e) { return ours(e.action); });
    if (!left.length) { return; }
    document.documentElement.setAttribute("data-scan-queue-resuming", "1");
    left.reduce(function (chain, entry) {
      return chain.then(function () {
        return deliver(entry, { method: "POST", body: bodyOf(entry.fields), credentials: "same-origin",
                                headers: { "X-Requested-With": "fetch", "X-Desk-Fetch": "1", "X-Stocktake-Fetch": "1" } });
      });
    }, Promise.resolve()).then(function () { window.location.reload(); });
  }

  show(load());
  resume();
  window.scanQueue = { pending: function () { return load().length; } };
})();
