// The Scanout web console's one script (same origin; the page works without it, minus the
// refresh). About once a second: each thumbnail loads a fresh snapshot.png (swapped in only once
// it has loaded, so nothing flickers), and each device's numbers are read from /api/devices.
'use strict';
(function () {
  const PERIOD_MS = 1000;

  function ms(micros) {
    return (Number(micros || 0) / 1000).toFixed(1) + ' ms';
  }

  function refreshThumbnails() {
    for (const img of document.querySelectorAll('img.thumb')) {
      if (img.dataset.loading === '1') continue;
      const base = img.getAttribute('src').split('?')[0];
      const next = new Image();
      img.dataset.loading = '1';
      const why = img.parentElement.querySelector('p.why');
      next.onload = function () {
        img.src = next.src;
        img.dataset.loading = '';
        img.classList.remove('stale');
        if (why) why.textContent = '';
      };
      next.onerror = async function () {
        img.classList.add('stale');
        // the console answers why in one line of text (no signal, no importer for the buffers...)
        try {
          const r = await fetch(next.src, { cache: 'no-store', credentials: 'same-origin' });
          if (why && !r.ok) why.textContent = (await r.text()).trim();
        } catch (e) {
          if (why) why.textContent = 'the console does not answer';
        }
        img.dataset.loading = '';
      };
      next.src = base + '?t=' + Date.now();
    }
  }

  function set(li, cls, text) {
    const el = li.querySelector('dd.' + cls);
    if (el && el.textContent !== text) el.textContent = text;
  }

  async function refreshNumbers() {
    let body;
    try {
      const r = await fetch('/api/devices', { cache: 'no-store', credentials: 'same-origin' });
      if (!r.ok) return;
      body = await r.json();
    } catch (e) {
      return;
    }
    for (const d of body.devices || []) {
      const li = document.querySelector('li.device[data-device="' + CSS.escape(d.name) + '"]');
      if (!li) continue;
      set(li, 'state', d.state + (d.reason ? ' (' + d.reason + ')' : ''));
      set(li, 'mode', d.mode || 'none');
      set(li, 'source', d.source || 'none');
      set(li, 'fps', Number(d.fps).toFixed(1));
      set(li, 'dropped', String(d.dropped));
      set(li, 'latency', ms(d.latencyP50Micros) + ' / ' + ms(d.latencyP99Micros));
      set(li, 'sinks', String(d.sinks));
    }
  }

  function tick() {
    refreshThumbnails();
    refreshNumbers();
  }

  setInterval(tick, PERIOD_MS);
  refreshThumbnails();
})();
