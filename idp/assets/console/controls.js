import { deleteJson, getJson, postJson } from './api.js';
import { byId, el, notify } from './dom.js';

// The lab's controls: the clock (move, freeze, back to real time), the reset, and the fault queue.

let clockState;

function renderClock() {
  if (!clockState) return;
  const now = clockState.frozenAt ?? Date.now() + clockState.offsetMs;
  byId('labClock').textContent = new Date(now).toISOString();
  const off = clockState.offsetMs;
  const sign = off < 0 ? '−' : '+';
  const abs = Math.abs(off);
  const text = [clockState.frozenAt !== null ? 'frozen' : '', off !== 0 && clockState.frozenAt === null ? `${sign}${Math.floor(abs / 3600000)} h ${Math.floor((abs % 3600000) / 60000)} min` : ''].filter(Boolean).join(', ');
  byId('labClockOffset').textContent = text ? `(${text})` : '(real time)';
  byId('clockFreeze').textContent = clockState.frozenAt !== null ? 'Unfreeze' : 'Freeze';
}

export async function loadClock() {
  clockState = await getJson('/clock');
  renderClock();
}

async function clock(command, what) {
  try {
    clockState = await postJson('/clock', command);
    renderClock();
    notify(`${what}: lab time is ${clockState.now}`);
  } catch (e) {
    notify(String(e.message), true);
  }
}

export function initClock(afterReset) {
  byId('clockPlusMinute').addEventListener('click', () => clock({ advanceMs: 60_000 }, 'Clock moved +1 min'));
  byId('clockPlusHour').addEventListener('click', () => clock({ advanceMs: 3_600_000 }, 'Clock moved +1 h'));
  byId('clockCustomApply').addEventListener('click', () => {
    const minutes = Number(byId('clockCustomMinutes').value);
    if (!Number.isInteger(minutes) || minutes === 0) return notify('Give a whole number of minutes (negative goes back).', true);
    clock({ advanceMs: minutes * 60_000 }, `Clock moved ${minutes > 0 ? '+' : ''}${minutes} min`);
  });
  byId('clockFreeze').addEventListener('click', () => clock(clockState?.frozenAt !== null ? { unfreeze: true } : { freeze: true }, clockState?.frozenAt !== null ? 'Clock unfrozen' : 'Clock frozen'));
  byId('clockReset').addEventListener('click', () => clock({ reset: true }, 'Clock back to real time'));
  byId('labReset').addEventListener('click', async () => {
    try {
      await postJson('/reset');
      notify('Lab reset to its fixtures (users, trusts, clients, sessions, faults, clock).');
      await afterReset();
    } catch (e) {
      notify(String(e.message), true);
    }
  });
  setInterval(renderClock, 1000);
}

// --- faults -----------------------------------------------------------------------------------

let kinds = { adfs: [], oidc: [] };

function fillKinds() {
  const surface = byId('faultSurface').value;
  byId('faultKind').replaceChildren(...(kinds[surface] ?? []).map((k) => el('option', { value: k }, k)));
  byId('faultTarget').placeholder = surface === 'adfs' ? 'relying party (name or identifier), optional' : 'client_id, optional';
  onKind();
}

function onKind() {
  byId('faultClaimsLabel').hidden = byId('faultKind').value !== 'claims';
}

export async function loadFaults() {
  const queued = await getJson('/faults');
  byId('faultList').replaceChildren(...queued.map((f) => el('li', { class: 'fault' }, JSON.stringify(f))));
  if (queued.length === 0) byId('faultList').append(el('li', { class: 'none' }, 'No fault queued: every answer is spec-correct.'));
}

export function initFaults() {
  try {
    kinds = JSON.parse(byId('faultForm').dataset.kinds);
  } catch {
    kinds = { adfs: [], oidc: [] };
  }
  byId('faultSurface').addEventListener('change', fillKinds);
  byId('faultKind').addEventListener('change', onKind);
  fillKinds();
  byId('faultForm').addEventListener('submit', async (e) => {
    e.preventDefault();
    const surface = byId('faultSurface').value;
    const fault = { surface, kind: byId('faultKind').value };
    const target = byId('faultTarget').value.trim();
    if (target) fault[surface === 'adfs' ? 'relyingParty' : 'clientId'] = target;
    try {
      if (fault.kind === 'claims') fault.claims = JSON.parse(byId('faultClaims').value);
      const queued = await postJson('/faults', fault);
      notify(`Fault queued: ${queued.surface} ${queued.kind}. The next matching answer takes it.`);
    } catch (err) {
      notify(err instanceof SyntaxError ? 'The claims are not JSON.' : String(err.message), true);
    }
    await loadFaults().catch(() => undefined);
  });
  byId('faultClear').addEventListener('click', async () => {
    try {
      await deleteJson('/faults');
      notify('Fault queue cleared.');
    } catch (err) {
      notify(String(err.message), true);
    }
    await loadFaults().catch(() => undefined);
  });
}
