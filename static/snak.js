/* snak.js: the embed loader. A website includes
 *
 *   <script src="https://HOST/static/snak.js" data-channel="demo" async></script>
 *
 * and gets a round chat button at the bottom right that opens the chat of
 * that channel in an iframe (#snak-frame, page HOST/widget?channel=SLUG).
 * Attributes: data-channel (required), data-label (the button's accessible
 * name, default "Chat with us": the loader runs before any catalog is
 * loaded, so the site sets it in its own language), data-color (button
 * colour, default #2563eb).
 *
 * A classic script, not a module, on purpose: it runs on other people's
 * pages, so it is self-contained and leaves one global, window.snak
 * {open, close, toggle}. Styles are set from JS because it runs under the
 * host page's CSS and CSP, not ours. */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.snak) return;   // included twice: the first one wins

  var slug = script.getAttribute('data-channel');
  if (!slug) {
    if (window.console) console.warn('snak: the script tag needs data-channel="SLUG"');
    return;
  }
  var label = script.getAttribute('data-label') || 'Chat with us';
  var color = script.getAttribute('data-color') || '#2563eb';
  var src = new URL(script.src, location.href);
  var origin = src.origin;
  // The widget page lives next to /static/: BASE/static/snak.js -> BASE/widget
  var widgetUrl = new URL('../widget?channel=' + encodeURIComponent(slug), src).href;
  var small = window.matchMedia('(max-width: 480px)');

  var button, panel, frame;
  var isOpen = false;

  function css(el, styles) {
    for (var k in styles) el.style[k] = styles[k];
  }

  function icon(open) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '26');
    svg.setAttribute('height', '26');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
    path.setAttribute('stroke-linecap', 'round');
    path.setAttribute('stroke-linejoin', 'round');
    path.setAttribute('d', open
      ? 'M6 6l12 12M18 6L6 18'
      : 'M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H9l-5 4V6a1 1 0 0 1 1-1z');
    svg.appendChild(path);
    return svg;
  }

  function build() {
    button = document.createElement('button');
    button.type = 'button';
    button.id = 'snak-button';
    button.setAttribute('aria-label', label);
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', 'snak-panel');
    button.appendChild(icon(false));
    css(button, {
      position: 'fixed', right: '20px', bottom: '20px', zIndex: '2147483000',
      width: '56px', height: '56px', borderRadius: '50%', border: '0', padding: '0',
      display: 'flex', alignItems: 'center', justifyContent: 'center',
      background: color, color: '#fff', cursor: 'pointer',
      boxShadow: '0 4px 14px rgba(0,0,0,0.25)'
    });
    button.addEventListener('click', toggle);

    panel = document.createElement('div');
    panel.id = 'snak-panel';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', label);
    css(panel, {
      position: 'fixed', zIndex: '2147483001', display: 'none', overflow: 'hidden',
      background: '#fff', boxShadow: '0 8px 32px rgba(0,0,0,0.22)'
    });
    document.body.appendChild(panel);
    document.body.appendChild(button);
    layout();
    if (small.addEventListener) small.addEventListener('change', layout);

    window.addEventListener('message', function (e) {
      if (!frame || e.source !== frame.contentWindow || e.origin !== origin) return;
      if (e.data && e.data.snak === 'close') close();
    });
  }

  /* 400x600 above the button; the whole screen on small screens (the
   * widget's own close button then closes it, the round button hides). */
  function layout() {
    if (small.matches) {
      css(panel, { left: '0', top: '0', right: '0', bottom: '0', width: '100%', height: '100%',
        maxHeight: 'none', borderRadius: '0' });
      button.style.display = isOpen ? 'none' : 'flex';
    } else {
      css(panel, { left: 'auto', top: 'auto', right: '20px', bottom: '88px', width: '400px', height: '600px',
        maxWidth: 'calc(100vw - 40px)', maxHeight: 'calc(100vh - 108px)', borderRadius: '16px' });
      button.style.display = 'flex';
    }
  }

  function open() {
    if (!panel) return;
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = 'snak-frame';
      frame.title = label;
      frame.src = widgetUrl;
      css(frame, { width: '100%', height: '100%', border: '0', display: 'block' });
      panel.appendChild(frame);
    }
    isOpen = true;
    panel.style.display = 'block';
    button.setAttribute('aria-expanded', 'true');
    button.replaceChild(icon(true), button.firstChild);
    layout();
    frame.focus();
  }

  function close() {
    if (!panel || !isOpen) return;
    isOpen = false;
    panel.style.display = 'none';
    button.setAttribute('aria-expanded', 'false');
    button.replaceChild(icon(false), button.firstChild);
    layout();
    button.focus();
  }

  function toggle() {
    if (isOpen) close();
    else open();
  }

  window.snak = { open: open, close: close, toggle: toggle };
  if (document.body) build();
  else document.addEventListener('DOMContentLoaded', build);
})();
