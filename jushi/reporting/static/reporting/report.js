// The report form (form[data-live-checks]): live checks run through HTMX on every edit (debounced in the
// inputs' hx-trigger); this file keeps the page honest around them.
//  * While a check request is in flight the save and submit buttons ([data-wait-checks]) are disabled.
//  * Explanations: "同上" (same:<key>) copies the previous explained warning's text; a field's
//    "适用于本指标全部提示" box (explain_all:<field>) gives its first explanation to all its warnings. The
//    server applies both again on submit, so each warning stores its own text.
//  * What the reporter typed survives re-rendered check fragments: boxes carry hx-preserve, and a
//    warning that disappears and comes back gets its text back from memory.
(function () {
  var current = null;
  var typed = {};

  function form() { return document.querySelector('form[data-live-checks]'); }

  function setBusy(busy) {
    var f = form();
    if (!f) { return; }
    f.classList.toggle('is-checking', busy);
    f.querySelectorAll('[data-wait-checks]').forEach(function (b) { b.disabled = busy; });
  }

  function ours(event) {
    var f = form();
    return f && event.detail && event.detail.elt && f.contains(event.detail.elt);
  }

  document.addEventListener('htmx:beforeRequest', function (event) {
    if (!ours(event)) { return; }
    current = event.detail.xhr;
    setBusy(true);
  });
  ['htmx:afterRequest', 'htmx:sendError', 'htmx:timeout', 'htmx:sendAbort', 'htmx:responseError'].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (!ours(event)) { return; }
      if (!event.detail.xhr || event.detail.xhr === current) {
        current = null;
        setBusy(false);
      }
    });
  });

  // The explained warnings in page order, as the server resolves them (views/common.py).
  function sync() {
    var f = form();
    if (!f) { return; }
    var previous = '';
    var firstOfField = {};
    f.querySelectorAll('textarea[name^="explain:"]').forEach(function (box) {
      var key = box.name.slice('explain:'.length);
      var home = box.dataset.explain;
      var allBox = document.getElementById('xa-' + home);
      var sameBox = box.closest('li').querySelector('[data-explain-same]');
      var first = !(home in firstOfField);
      if (!box.value && typed[key] && !(sameBox && sameBox.checked)) { box.value = typed[key]; }
      var text;
      if (!first && allBox && allBox.checked) {
        text = firstOfField[home];
        box.value = text;
        box.readOnly = true;
      } else if (sameBox && sameBox.checked && previous) {
        text = previous;
        box.value = text;
        box.readOnly = true;
      } else {
        box.readOnly = false;
        text = box.value.trim();
      }
      if (first) { firstOfField[home] = text; }
      if (text) { previous = text; }
    });
  }

  document.addEventListener('input', function (event) {
    var box = event.target;
    if (box.matches && box.matches('form[data-live-checks] textarea[name^="explain:"]')) {
      typed[box.name.slice('explain:'.length)] = box.value;
      sync();
    }
  });
  document.addEventListener('change', function (event) {
    var el = event.target;
    if (el.matches && el.matches('form[data-live-checks] [data-explain-same], form[data-live-checks] [data-explain-all]')) {
      if (el.matches('[data-explain-same]') && !el.checked) {  // back to what this box said before
        var key = el.name.slice('same:'.length);
        var box = el.closest('li').querySelector('textarea[name^="explain:"]');
        if (box) { box.value = typed[key] || ''; }
      }
      if (el.matches('[data-explain-all]') && !el.checked) {
        var f = form();
        f.querySelectorAll('textarea[data-explain="' + el.name.slice('explain_all:'.length) + '"]').forEach(function (box, i) {
          if (i > 0) { box.value = typed[box.name.slice('explain:'.length)] || ''; }
        });
      }
      sync();
    }
  });
  document.addEventListener('htmx:afterSettle', function (event) { if (ours(event)) { sync(); } });
  document.addEventListener('htmx:oobAfterSwap', sync);
  document.addEventListener('DOMContentLoaded', sync);
  if (document.readyState !== 'loading') { sync(); }
})();
