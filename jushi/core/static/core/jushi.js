// Behaviour the pages declare with data attributes, so no page needs an inline script (CSP forbids them).
//   <select data-autosubmit>            submits its form when changed
//   <input type="checkbox" data-check-all="CSS selector">   ticks or clears every box the selector names
document.addEventListener('change', function (event) {
  var el = event.target;
  if (el.matches('[data-autosubmit]') && el.form) {
    el.form.submit();
  }
  if (el.matches('[data-check-all]')) {
    document.querySelectorAll(el.dataset.checkAll).forEach(function (box) { box.checked = el.checked; });
  }
});

// The menu button of narrow screens (<button data-menu-toggle aria-controls="side-nav">): opens and closes
// the side navigation; a click outside it or Escape closes it again.
(function () {
  function shell() { return document.querySelector('.shell'); }
  function setOpen(button, open) {
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    var s = shell();
    if (s) { s.classList.toggle('nav-open', open); }
    if (open) {
      var first = document.querySelector('#' + button.getAttribute('aria-controls') + ' a');
      if (first) { first.focus({ preventScroll: true }); }
    }
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-menu-toggle]');
    if (button) {
      setOpen(button, button.getAttribute('aria-expanded') !== 'true');
      return;
    }
    var open = document.querySelector('[data-menu-toggle][aria-expanded="true"]');
    if (open && !event.target.closest('#' + open.getAttribute('aria-controls'))) {
      setOpen(open, false);
    }
  });
  document.addEventListener('keydown', function (event) {
    var open = document.querySelector('[data-menu-toggle][aria-expanded="true"]');
    if (open && event.key === 'Escape') {
      setOpen(open, false);
      open.focus();
    }
  });
})();
