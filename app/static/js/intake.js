// The scan station (/intake): keyboard only, the focus always back in the scan field.
// Without this file every action is a plain form POST and a redirect; with it the same
// forms are sent with fetch() one after another (a fast scanner may send the next code
// before the answer to the last one arrives) and only the station body is swapped.
(function () {
  "use strict";
  var KEYS = { "+": "again", "-": "undo", "*": "no-isbn" };
  var queue = Promise.resolve();
  var pending = 0;

  function scanField() { return document.querySelector("[data-scan-field]"); }
  function manualTitle() { return document.querySelector("[data-manual] input[name=title]"); }
  function body() { return document.getElementById("station-body"); }

  function focusHome() {
    var title = manualTitle();
    var target = title || scanField();
    if (target && document.activeElement !== target) {
      target.focus();
      if (target.select && target.value) { target.select(); }
    }
  }

  function busy(on) {
    pending += on ? 1 : -1;
    document.documentElement.setAttribute("data-intake-busy", pending > 0 ? "1" : "0");
  }

  function swap(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("station-body");
    var current = body();
    if (!fresh || !current) {
      // Not the station (e.g. the donation was finished): show that page instead.
      document.open();
      document.write(html);
      document.close();
      return;
    }
    current.innerHTML = fresh.innerHTML;
    var flashes = doc.querySelector(".flashes");
    var oldFlashes = document.querySelector(".flashes");
    if (oldFlashes) { oldFlashes.remove(); }
    if (flashes) { document.getElementById("main").prepend(flashes); }
  }

  // No answer (network down, server restarting): say so and send nothing again. A plain
  // POST in its place could add the book twice, had the first request arrived after all.
  function offline(code) {
    var message = body() && body().getAttribute("data-offline");
    var flashes = document.querySelector(".flashes");
    if (flashes) { flashes.remove(); }
    flashes = document.createElement("div");
    flashes.className = "flashes";
    flashes.setAttribute("role", "alert");
    var line = document.createElement("p");
    line.className = "flash flash-error";
    line.setAttribute("data-testid", "offline");
    line.textContent = (code ? code + ": " : "") + message;
    flashes.appendChild(line);
    document.getElementById("main").prepend(flashes);
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value || "1"); }
    var field = scanField();
    var code = form.id === "scan-form" && field ? field.value.trim() : "";
    if (form.id === "scan-form" && field) { field.value = ""; }
    busy(true);
    queue = queue.then(function () {
      return fetch(form.action, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.text().then(function (html) {
          if (response.redirected && new URL(response.url).pathname.indexOf("/intake") !== 0) {
            window.location.href = response.url;
            return;
          }
          swap(html);
        });
      }).catch(function () {
        offline(code);
      }).then(function () {
        busy(false);
        focusHome();
      });
    });
  }

  function actionForm(name) {
    return document.querySelector("form[action$='/intake/" + name + "']");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-intake")) { return; }
    if (form.action.slice(-7) === "/finish") { return; }  // a whole new page: plain POST
    event.preventDefault();
    send(form, event.submitter);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var field = scanField();
    // Triage (app/intake/triage_station.py): 1-3 record the held item's outcome, 4-5 mark
    // the next item. Scanned book barcodes begin with 9 (EAN-13 978/979): no clash.
    var triage = document.querySelector("[data-testid=triage-form]");
    if (target === field && field.value === "" && !event.ctrlKey && !event.altKey) {
      var outcome = { "1": "kept", "2": "passed_on", "3": "declined" }[event.key];
      if (triage && outcome) {
        event.preventDefault();
        var button = triage.querySelector("[name=" + outcome + "]");
        if (button && !button.disabled) { send(triage, button); }
        return;
      }
      if (!triage && (event.key === "4" || event.key === "5")) {
        event.preventDefault();
        field.value = event.key;
        // As a scan: its submit event gives it an idempotency key of its own (scan-queue.js).
        field.form.requestSubmit();
        return;
      }
    }
    if (target === field && field.value === "" && KEYS[event.key] && !event.ctrlKey) {
      var form = actionForm(KEYS[event.key]);
      if (form) {
        event.preventDefault();
        send(form, null);
      }
      return;
    }
    var manual = target.closest && target.closest("[data-manual]");
    if (manual) {
      if (event.key === "Escape") {
        event.preventDefault();
        send(manual, manual.querySelector("[name=cancel]"));
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        var later = manual.querySelector("[name=later]");
        if (later) {
          event.preventDefault();
          send(manual, later);
        }
      }
      return;
    }
    // Keys typed while the focus is lost (after a click on the page) go to the scan field.
    var tag = (target.tagName || "").toLowerCase();
    if (field && tag !== "input" && tag !== "select" && tag !== "textarea" &&
        /^[0-9Xx]$/.test(event.key) && !event.ctrlKey && !event.altKey) {
      field.focus();
    }
  });

  // A click on the page (not on a control) must not leave the scanner typing nowhere.
  document.addEventListener("click", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea", "button", "a", "label"].indexOf(tag) === -1 &&
        !window.getSelection().toString()) {
      setTimeout(focusHome, 0);
    }
  });

  focusHome();
})();
