// The label print queue: select all, and a live sheet preview as the settings change.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("print-form");
  if (!form) { return; }
  var preview = document.getElementById("sheet-preview");
  var details = document.querySelector("[data-testid=png-preview]");
  var image = details ? details.querySelector("img") : null;
  var selectAll = document.getElementById("select-all");
  var items = form.querySelectorAll("input[name=item]");

  function query() {
    var params = new URLSearchParams();
    params.set("template", form.elements.template.value);
    params.set("start_at", form.elements.start_at.value);
    if (form.elements.content) { params.set("content", form.elements.content.value); }
    params.set("selected", "1");
    items.forEach(function (box) { if (box.checked) { params.append("item", box.value); } });
    return params.toString();
  }

  function refreshImage() {
    if (image && details.open) { image.src = form.getAttribute("data-png-url") + "?" + query(); }
  }

  var pending = null;
  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.getAttribute("data-preview-url") + "?" + query(), {
      signal: pending.signal, credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) { preview.innerHTML = html; }
    }).catch(function () { /* an aborted or failed preview keeps the last one */ });
    refreshImage();
  }

  if (selectAll) {
    selectAll.addEventListener("change", function () {
      items.forEach(function (box) { box.checked = selectAll.checked; });
      refresh();
    });
  }
  items.forEach(function (box) { box.addEventListener("change", refresh); });
  form.elements.template.addEventListener("change", refresh);
  form.elements.start_at.addEventListener("input", refresh);
  if (form.elements.content) { form.elements.content.addEventListener("change", refresh); }
  if (details) { details.addEventListener("toggle", refreshImage); }
})();
