// Confirmations in a native <dialog> (issue 18 §5). A link marked
// `data-confirm` leads to a confirmation page that works on its own without
// JavaScript. With JavaScript, a click fetches that page and shows its main
// content in a modal <dialog> instead: the same words, the same form posting
// to the same action, and Cancel (or Escape) closes it. Any failure falls
// back to following the link.
(function () {
  'use strict';
  if (typeof HTMLDialogElement !== 'function' || !window.fetch || !window.DOMParser) return;

  function open(link, html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    var main = doc.querySelector('main');
    var heading = main && main.querySelector('h1');
    var form = main && main.querySelector('form');
    if (!heading || !form) return false;
    var dialog = document.createElement('dialog');
    dialog.className = 'confirm-dialog';
    var title = document.createElement('h2');
    title.id = 'confirm-dialog-title';
    title.textContent = heading.textContent;
    heading.remove();
    dialog.setAttribute('aria-labelledby', title.id);
    dialog.append(title);
    Array.prototype.slice.call(main.childNodes).forEach(function (node) {
      dialog.append(document.importNode(node, true));
    });
    // Ids inside the page must not clash with the page underneath.
    dialog.querySelectorAll('[id]').forEach(function (el) {
      if (el !== title) el.id = 'confirm-dialog-' + el.id;
    });
    dialog.querySelectorAll('[for]').forEach(function (el) {
      el.htmlFor = 'confirm-dialog-' + el.htmlFor;
    });
    dialog.querySelectorAll('[aria-labelledby],[aria-describedby]').forEach(function (el) {
      ['aria-labelledby', 'aria-describedby'].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v && el !== dialog) el.setAttribute(attr, v.split(' ').map(function (id) { return 'confirm-dialog-' + id; }).join(' '));
      });
    });
    var cancel = dialog.querySelector('.actions a');
    if (cancel) {
      cancel.setAttribute('role', 'button');
      cancel.addEventListener('click', function (event) {
        event.preventDefault();
        dialog.close();
      });
    }
    dialog.addEventListener('close', function () {
      dialog.remove();
      link.focus();
    });
    document.body.append(dialog);
    dialog.showModal();
    return true;
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-confirm]');
    if (!link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    fetch(link.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (!open(link, html)) window.location.assign(link.href); })
      .catch(function () { window.location.assign(link.href); });
  });
})();
