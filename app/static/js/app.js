// Shared behaviour: no inline scripts anywhere (the Content-Security-Policy forbids them).
(function () {
  "use strict";
  // Ask before a form marked data-confirm is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // A second click while a form is already on its way would send it twice (two members,
  // two campaigns...). Forms that the page's own scripts send (desk and intake use fetch,
  // and prevent the default) and a cancelled confirmation are not concerned: this runs on
  // window, after the document's listeners. Another button of the same form (the label
  // queue's "Download PDF", then "Mark printed") is another request, and goes.
  var SENDING_MS = 5000;
  window.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var method = (button && button.getAttribute("formmethod")) || form.getAttribute("method");
    if (event.defaultPrevented || (method || "get").toLowerCase() !== "post") { return; }
    var key = [(button && button.getAttribute("formaction")) || form.action,
               button ? button.name + "=" + button.value : ""].join(" ");
    var sentAt = Number(form.getAttribute("data-sent-at") || 0);
    if (form.getAttribute("data-sent-key") === key && Date.now() - sentAt < SENDING_MS) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent-key", key);
    form.setAttribute("data-sent-at", String(Date.now()));
  });
  // Back on a page from the browser's cache: its forms may be sent again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent-at]").forEach(function (form) {
      form.removeAttribute("data-sent-at");
    });
  });
})();
