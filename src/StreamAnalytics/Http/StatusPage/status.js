// The status page: cameras polled every 2 s, their latest pictures, incidents from one GET and then the SSE
// stream, and the add-camera form. Same-origin relative URLs only: off loopback the service has already set
// its auth cookie, so no token appears here, and nothing is loaded from outside (the product runs air-gapped).
'use strict';

(() => {
  const POLL_MS = 2000;
  const MAX_INCIDENTS = 100;
  // States with a decoder running, so a recent frame may exist; the others never have a picture to ask for.
  const PICTURE_STATES = new Set(['connecting', 'online', 'stalled', 'reconnecting']);

  const camerasElement = document.getElementById('cameras');
  const incidentsElement = document.getElementById('incidents');
  const tiles = new Map(); // camera id -> { element, parts, camera, loading }
  const incidents = new Map(); // incident id -> incident
  let streamOpen = false;
  let camerasReachable = true;

  // --- helpers ---

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Local wall-clock time, 24 h, so a column of times lines up.
  function time(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':');
  }

  // Milliseconds since the epoch, for comparing ISO times of any precision; 0 when absent.
  function instant(iso) {
    const ms = Date.parse(iso ?? '');
    return Number.isNaN(ms) ? 0 : ms;
  }

  function number(value, digits) {
    return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
  }

  // Every problem an RFC 7807 answer names: its 'errors' list when there is one, else its detail or title.
  async function problems(response) {
    try {
      const body = await response.json();
      if (Array.isArray(body.errors) && body.errors.length > 0) return body.errors.map(String);
      if (body.errors && typeof body.errors === 'object') return Object.values(body.errors).flat().map(String);
      return [body.detail || body.title || `HTTP ${response.status}`];
    } catch {
      return [`HTTP ${response.status} ${response.statusText}`];
    }
  }

  function showConnection() {
    const connection = document.getElementById('connection');
    let state;
    let text;
    if (!camerasReachable) {
      state = 'down';
      text = 'Service unreachable; retrying…';
    } else if (!streamOpen) {
      state = 'connecting';
      text = 'Incident stream reconnecting…';
    } else {
      state = 'live';
      text = 'Live';
    }
    connection.dataset.state = state;
    connection.textContent = text;
  }

  // --- cameras ---

  function createTile(id) {
    const tile = element('article', 'camera-tile');
    tile.dataset.cameraId = id;

    const frame = element('div', 'frame');
    const picture = element('img', 'snapshot');
    picture.alt = `Latest picture from camera ${id}`;
    picture.hidden = true;
    const noPicture = element('span', 'no-picture', 'No picture');
    frame.append(picture, noPicture);

    const head = element('div', 'tile-head');
    const name = element('h3', 'camera-id', id);
    const state = element('span', 'state');
    head.append(name, state);

    const details = element('p', 'details');
    const fps = element('span', 'fps');
    const frames = element('span', 'frames');
    const source = element('span', 'source');
    details.append(fps, frames, source);

    const learning = element('div', 'learning');
    const learningLabel = element('label', null, 'Learning the scene');
    const learningBar = element('progress');
    learningBar.max = 1;
    learningBar.id = `learning-${id}`;
    learningLabel.htmlFor = learningBar.id;
    learning.append(learningLabel, learningBar);

    const url = element('p', 'url');
    const lastError = element('p', 'last-error');
    lastError.setAttribute('role', 'status');

    const remove = element('button', 'remove', 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove camera ${id}`);
    remove.addEventListener('click', () => removeCamera(id));

    tile.append(frame, head, details, learning, url, lastError, remove);
    return { element: tile, parts: { picture, noPicture, state, fps, frames, source, learning, learningBar, url, lastError, remove }, camera: null, loading: false };
  }

  function updateTile(tile, camera) {
    const p = tile.parts;
    tile.camera = camera;
    tile.element.dataset.state = camera.state;
    tile.element.dataset.source = camera.source;
    p.state.textContent = camera.enabled === false ? 'disabled' : camera.state;
    p.state.className = `state state-${camera.state}`;
    p.state.title = camera.since ? `since ${time(camera.since)}` : '';
    p.fps.textContent = `${number(camera.fps, 1)} fps`;
    p.frames.textContent = `${camera.frames ?? 0} frames`;
    p.source.textContent = camera.source === 'api' ? 'added via API' : 'config file';
    p.url.textContent = camera.url ?? '';
    p.url.title = camera.url ?? '';
    // The service reports 1 once a head has learned the scene: the bar is only for while it is still learning.
    const learning = typeof camera.learningProgress === 'number' && camera.learningProgress < 1;
    p.learning.hidden = !learning;
    if (learning) {
      p.learningBar.value = camera.learningProgress;
      p.learningBar.textContent = `${Math.round(camera.learningProgress * 100)} %`;
    }
    // A sharded deployment lists every camera; this process has pictures only of its own.
    p.noPicture.textContent = camera.state === 'elsewhere' ? `Runs on shard ${camera.shard}` : 'No picture';
    p.lastError.textContent = camera.lastError ?? '';
    p.lastError.hidden = !camera.lastError;
    p.remove.hidden = camera.source !== 'api';
  }

  function renderCameras(cameras) {
    const seen = new Set();
    cameras.forEach((camera, index) => {
      seen.add(camera.id);
      let tile = tiles.get(camera.id);
      if (!tile) {
        tile = createTile(camera.id);
        tiles.set(camera.id, tile);
        refreshPicture(tile, camera);
      }
      updateTile(tile, camera);
      // The grid follows the service's order; a tile already in place is not moved (moving would drop focus).
      const current = camerasElement.children[index];
      if (current !== tile.element) camerasElement.insertBefore(tile.element, current ?? null);
    });
    for (const [id, tile] of tiles) {
      if (!seen.has(id)) {
        tile.element.remove();
        tiles.delete(id);
      }
    }
    document.getElementById('camera-count').textContent = String(cameras.length);
    document.getElementById('online-count').textContent = String(cameras.filter(c => c.state === 'online').length);
    document.getElementById('no-cameras').hidden = cameras.length > 0;
  }

  async function pollCameras() {
    try {
      const response = await fetch('/api/v1/cameras', { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      renderCameras(await response.json());
      camerasReachable = true;
    } catch {
      camerasReachable = false;
    }
    showConnection();
  }

  // Loads the next picture off-screen and swaps it in only once decoded, so the tile never shows a blank
  // frame; a camera without a recent frame (503) keeps its last picture, dimmed.
  async function refreshPicture(tile, camera) {
    if (tile.loading || document.hidden) return;
    const p = tile.parts;
    if (!PICTURE_STATES.has(camera.state) || camera.enabled === false) {
      tile.element.classList.add('stale');
      p.noPicture.hidden = !p.picture.hidden;
      return;
    }
    tile.loading = true;
    const next = new Image();
    next.src = `/api/v1/cameras/${encodeURIComponent(camera.id)}/snapshot.jpg?t=${Date.now()}`;
    try {
      await next.decode();
      next.className = p.picture.className;
      next.alt = p.picture.alt;
      p.picture.replaceWith(next);
      p.picture = next;
      p.noPicture.hidden = true;
      tile.element.classList.remove('stale');
    } catch {
      tile.element.classList.add('stale');
      p.noPicture.hidden = !p.picture.hidden;
    } finally {
      tile.loading = false;
    }
  }

  async function removeCamera(id) {
    if (!window.confirm(`Remove camera ${id}? It stops at once.`)) return;
    const tile = tiles.get(id);
    const response = await fetch(`/api/v1/cameras/${encodeURIComponent(id)}`, { method: 'DELETE', credentials: 'same-origin' });
    if (response.ok) {
      tile?.element.remove();
      tiles.delete(id);
    } else if (tile) {
      tile.parts.lastError.hidden = false;
      tile.parts.lastError.textContent = (await problems(response)).join(' ');
    }
    await pollCameras();
  }

  // --- incidents ---

  function upsertIncident(incident) {
    const known = incidents.get(incident.incidentId);
    // The list and the stream overlap: keep whichever copy is newer.
    if (known && instant(known.updatedAt) > instant(incident.updatedAt)) return;
    incidents.set(incident.incidentId, incident);
  }

  function incidentRow(incident) {
    const row = element('tr', 'incident');
    row.dataset.incidentId = incident.incidentId;
    row.dataset.cameraId = incident.cameraId;
    row.dataset.phase = incident.phase;
    row.dataset.startTime = incident.startTime;
    row.dataset.updatedAt = incident.updatedAt;
    row.classList.add(`incident-${incident.type}`);
    const what = element('td', 'what');
    what.append(element('span', 'type', incident.type), ' ', element('span', 'label', incident.label));
    what.title = `head ${incident.head}`;
    const score = element('td', 'score', number(incident.peakScore ?? incident.score, 2));
    score.title = `score ${number(incident.score, 2)}, peak ${number(incident.peakScore, 2)}, threshold ${number(incident.threshold, 2)}`;
    const ended = incident.phase === 'end';
    const status = element('td', 'phase', ended ? `ended ${time(incident.endTime)}` : 'open');
    status.classList.add(ended ? 'ended' : 'open');
    row.append(element('td', 'camera', incident.cameraId), what, score, element('td', 'start', time(incident.startTime)), status);
    return row;
  }

  function renderIncidents() {
    const newestFirst = [...incidents.values()].sort((a, b) => instant(b.startTime) - instant(a.startTime));
    for (const dropped of newestFirst.splice(MAX_INCIDENTS)) incidents.delete(dropped.incidentId);
    incidentsElement.replaceChildren(...newestFirst.map(incidentRow));
    document.getElementById('no-incidents').hidden = newestFirst.length > 0;
    document.getElementById('open-incident-count').textContent = String(newestFirst.filter(i => i.phase !== 'end').length);
  }

  async function loadIncidents() {
    try {
      const response = await fetch('/api/v1/incidents', { credentials: 'same-origin', cache: 'no-store' });
      if (!response.ok) return;
      for (const incident of await response.json()) upsertIncident(incident);
      renderIncidents();
    } catch {
      // The camera poll reports an unreachable service; the stream's next 'open' loads the list again.
    }
  }

  function followIncidents() {
    const stream = new EventSource('/api/v1/incidents/stream');
    stream.addEventListener('open', () => {
      streamOpen = true;
      showConnection();
      // Whatever happened while the stream was down is in the list.
      loadIncidents();
    });
    stream.addEventListener('error', () => {
      streamOpen = false;
      showConnection();
    });
    stream.addEventListener('incident', event => {
      // How many events the stream delivered: shown nowhere, read by the browser test (and handy in devtools).
      incidentsElement.dataset.streamEvents = String(Number(incidentsElement.dataset.streamEvents ?? 0) + 1);
      upsertIncident(JSON.parse(event.data));
      renderIncidents();
    });
  }

  // --- add camera ---

  function setupForm() {
    const form = document.getElementById('add-camera');
    const errors = document.getElementById('add-camera-errors');
    const result = document.getElementById('add-camera-result');
    form.addEventListener('submit', async event => {
      event.preventDefault();
      errors.replaceChildren();
      result.textContent = '';
      const entry = {
        Id: form.elements.Id.value.trim(),
        Url: form.elements.Url.value.trim(),
        Loop: form.elements.Loop.checked,
      };
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        const response = await fetch('/api/v1/cameras', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(entry),
        });
        if (response.ok) {
          result.textContent = `Camera ${entry.Id} added.`;
          form.reset();
          await pollCameras();
        } else {
          errors.replaceChildren(...(await problems(response)).map(problem => element('li', null, problem)));
        }
      } catch (error) {
        errors.replaceChildren(element('li', null, `The service did not answer: ${error.message}`));
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- start ---

  async function cameraLoop() {
    await pollCameras();
    setTimeout(cameraLoop, POLL_MS);
  }

  setupForm();
  followIncidents();
  loadIncidents();
  cameraLoop();
  setInterval(() => {
    for (const tile of tiles.values()) {
      if (tile.camera) refreshPicture(tile, tile.camera);
    }
  }, POLL_MS);
})();
