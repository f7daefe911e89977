// hashrig's dashboard: reads /api/v1/ every 2 s and changes the miner through it.
// Everything the miner says is put in the page as text (textContent), never as HTML.
'use strict';

const state = {
  csrf: null, loggedIn: false, mayChange: false, passwordSet: false,
  chart: null, chartPoints: 0, page: 'overview', refreshes: 0,
};
window.hashrig = state;  // what the browser tests read

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function rate(hashes) {
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s'];
  let i = 0;
  while (hashes >= 1000 && i < units.length - 1) { hashes /= 1000; i++; }
  return hashes.toFixed(2) + ' ' + units[i];
}

function duration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + 'd ' : '') + (h ? h + 'h ' : '') + m + 'm ' + (s % 60) + 's';
}

function say(text, kind) {
  const p = document.getElementById('message');
  p.textContent = text;
  p.className = 'message ' + (kind || '');
}

async function get(path) {
  const response = await fetch('/api/v1/' + path, { credentials: 'same-origin' });
  if (!response.ok) { throw new Error(path + ': HTTP ' + response.status); }
  return response.json();
}

async function send(method, path, body) {
  const response = await fetch('/api/v1/' + path, {
    method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': state.csrf || '' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  return { ok: response.ok, status: response.status, data };
}

function card(label, value) {
  return el('div', { className: 'card' }, el('div', { className: 'label' }, label),
            el('div', { className: 'value' }, value));
}

function showSummary(s) {
  const pool = s.pool ? s.pool.url + (s.pool.alive ? ' (connected)' : ' (down)') : 'no pool';
  document.getElementById('cards').replaceChildren(
    card('hashrate 5 s', rate(s.hashrate['5s'])), card('hashrate 1 min', rate(s.hashrate['1m'])),
    card('hashrate 15 min', rate(s.hashrate['15m'])), card('average', rate(s.hashrate.avg)),
    card('accepted', s.accepted), card('rejected', s.rejected), card('stale', s.stale),
    card('lost', s.lost), card('hardware errors', s.hardware_errors),
    card('best share', Number(s.best_share).toPrecision(6)), card('uptime', duration(s.uptime_s)),
    card('pool', pool));
  const rows = Object.entries(s.rejected_by_reason).map(
    ([reason, n]) => el('tr', {}, el('td', {}, reason), el('td', {}, n)));
  document.querySelector('#reasons tbody').replaceChildren(
    ...(rows.length ? rows : [el('tr', {}, el('td', {}, 'none'))]));
  document.getElementById('footer').textContent = 'hashrig ' + s.version;
}

const windows = [['5 s', '#1565c0'], ['1 min', '#2e7d32'], ['15 min', '#ef6c00']];

// The last hour (one sample per status line) of the 5 s, 1 min and 15 min hashrates.
function showHistory(h) {
  const labels = h.samples.map(([t]) => new Date(t * 1000).toLocaleTimeString());
  const series = windows.map((w, i) => h.samples.map((sample) => sample[i + 1] / 1e9));
  if (!state.chart) {
    state.chart = new Chart(document.getElementById('chart'), {
      type: 'line',
      data: { labels, datasets: windows.map(([label, color], i) => ({
        label: 'GH/s (' + label + ')', data: series[i], borderColor: color, pointRadius: 0,
        tension: 0.2 })) },
      options: { animation: false, maintainAspectRatio: false,
                 scales: { y: { beginAtZero: true, title: { display: true, text: 'GH/s' } } } },
    });
  } else {
    state.chart.data.labels = labels;
    series.forEach((values, i) => { state.chart.data.datasets[i].data = values; });
    state.chart.update();
  }
  state.chartPoints = labels.length;
}

// Nonces per second per chip, from the counts of the last two reads.
const lastChips = new Map();
function nonceRate(chain, chip, now) {
  const key = chain + '/' + chip.address;
  const before = lastChips.get(key);
  lastChips.set(key, { nonces: chip.nonces, at: now });
  if (!before || now <= before.at) { return null; }
  return (chip.nonces - before.nonces) / ((now - before.at) / 1000);
}

// A link's damage (bad frames, garbage, requests never answered), said only when there is
// some: a count that keeps rising is a bad cable, connector or baud rate.
function linkDamage(link) {
  if (!link || !(link.bad_frames || link.skipped_bytes || link.timeouts)) { return ''; }
  return 'link: ' + link.bad_frames + ' bad frames, ' + link.skipped_bytes + ' bytes skipped, ' +
    link.timeouts + ' timeouts';
}

function showChains(chains) {
  const now = Date.now();
  document.getElementById('chains').replaceChildren(...chains.map((c) => {
    const facts = [
      c.chips_found + ' of ' + c.chips_expected + ' chips',
      c.temperature_c === null ? 'no sensor' : c.temperature_c.toFixed(1) + ' °C',
      c.fan_percent === null ? '' : 'fan ' + c.fan_percent.toFixed(0) + '%',
      c.fan_rpm === null ? '' : c.fan_rpm.toFixed(0) + ' rpm',
      c.frequency_mhz.toFixed(1) + ' MHz',
      c.core_volts === null ? '' : c.core_volts.toFixed(3) + ' V',
      c.power_watts === null ? '' : c.power_watts.toFixed(1) + ' W',
      rate(c.hashrate) + (c.nominal_hashrate ? ' of ' + rate(c.nominal_hashrate) : ''),
      c.hardware_errors + ' HW errors',
      linkDamage(c.link),
    ].filter((f) => f);
    const chips = c.chips.map((chip) => {
      const perSecond = nonceRate(c.name, chip, now);
      return el('div', {
        className: 'chip ' + (!chip.alive ? 'bad' : chip.hardware_errors ? 'warn' : 'ok'),
        title: 'chip address ' + chip.address + (chip.alive ? '' : ': not answering'),
      }, '#' + chip.address, el('br'),
      chip.nonces + ' nonces' + (perSecond === null ? '' : ' · ' + perSecond.toFixed(1) + '/s'),
      el('br'), chip.hardware_errors + ' HW errors');
    });
    // Canaan MM modules (Avalon chains): one card each, lost ones marked.
    const modules = (c.modules || []).map((m) => el('div', {
      className: 'module ' + (!m.present ? 'bad' : m.hardware_errors ? 'warn' : 'ok'),
      title: 'DNA ' + m.dna + (m.present ? '' : ': lost (not answering its polls)'),
    }, 'MM' + m.id + ' · ' + m.firmware, el('br'),
    m.dna, el('br'),
    [m.chips + ' chips',
      m.temperature_c === null ? '' : m.temperature_c.toFixed(1) + ' °C',
      m.fan_rpm ? m.fan_rpm + ' rpm' : '',
      m.frequency_mhz === null ? '' : m.frequency_mhz + ' MHz',
      m.power_watts === null ? '' : m.power_watts.toFixed(0) + ' W'].filter((f) => f).join(' · '),
    el('br'),
    m.nonces + ' nonces · ' + m.hardware_errors + ' HW errors' +
      (m.lost ? ' · lost ' + m.lost + '×' : '')));
    return el('div', { className: 'chain' },
      el('h2', {}, c.name + (c.generation ? ' (' + c.generation + ')' : '') + ' ',
         el('span', { className: c.mining ? 'state-mining' : 'state-other' }, c.state)),
      el('div', { className: 'facts' }, facts.join(' · ')),
      modules.length ? el('div', { className: 'modules' }, ...modules) : '',
      el('div', { className: 'chips' }, ...chips));
  }));
}

function poolButton(label, method, path) {
  const button = el('button', { type: 'button', disabled: !state.loggedIn }, label);
  button.addEventListener('click', async () => {
    const r = await send(method, path);
    say(r.ok ? r.data.done : (r.data.error || 'HTTP ' + r.status), r.ok ? 'ok' : 'error');
    refresh();
  });
  return button;
}

let shownPools = '';
function showPools(pools) {
  // Rebuilt only when something changed: a button is not replaced under the cursor.
  const key = JSON.stringify(pools) + state.loggedIn;
  if (key === shownPools) { return; }
  shownPools = key;
  document.querySelector('#pools tbody').replaceChildren(...pools.map((p) => el('tr',
    { className: p.active ? 'active' : '' },
    el('td', {}, p.index), el('td', {}, p.url + (p.active ? ' (mining)' : '')),
    el('td', {}, p.user), el('td', {}, p.status), el('td', {}, p.accepted),
    el('td', {}, p.rejected), el('td', {}, p.difficulty),
    el('td', {}, poolButton('switch', 'POST', 'pools/' + p.index + '/switch'),
       poolButton(p.enabled ? 'disable' : 'enable', 'POST',
                  'pools/' + p.index + (p.enabled ? '/disable' : '/enable')),
       poolButton('remove', 'DELETE', 'pools/' + p.index)))));
}

// A number input for a setting, or a dash where the chain cannot change it.
function settingInput(id, value, limits, step) {
  if (limits === null) { return el('span', {}, '—'); }
  const input = el('input', { type: 'number', id, step, value: value === null ? '' : value,
                              disabled: !state.loggedIn, className: 'setting' });
  if (typeof limits === 'object') {
    input.min = limits.min;
    input.max = limits.max;
    input.title = limits.min + ' to ' + limits.max;
  } else {
    input.title = 'a clock the ' + limits + "'s PLL makes";
  }
  return input;
}

// The settings table is built once per set of chains (and login state) and then updated in
// place: an input is never replaced under the operator's cursor, and a value they typed stays
// until they apply it, even after they click elsewhere.
let shownSettings = '';
let settingsNow = {};
const kSettingFields = [['frequency_mhz', 'freq-'], ['core_volts', 'volts-'],
                        ['target_c', 'target-']];

function settingValue(c, field) {
  if (field === 'core_volts') {
    return c.core_volts === null ? null : Number(c.core_volts.toFixed(3));
  }
  return c[field];
}

function settingsRow(c) {
  const apply = el('button', { type: 'button', disabled: !state.loggedIn, id: 'apply-' + c.index },
                   'apply');
  apply.addEventListener('click', async () => {
    const now = settingsNow[c.index] || c;
    const body = { chain: c.index };
    for (const [field, id] of kSettingFields) {
      const input = document.getElementById(id + c.index);
      if (input && input.value !== '' && Number(input.value) !== settingValue(now, field)) {
        body[field] = Number(input.value);
      }
    }
    const r = await send('POST', 'settings', body);
    say(r.ok ? r.data.done : (r.data.error || 'HTTP ' + r.status), r.ok ? 'ok' : 'error');
    if (r.ok) {
      for (const [, id] of kSettingFields) {
        const input = document.getElementById(id + c.index);
        if (input) { delete input.dataset.edited; }
      }
    }
    refresh();
  });
  const input = (field, id, limits, step) => {
    const node = settingInput(id + c.index, settingValue(c, field), limits, step);
    // 'change' too: WebDriver's clear (and some autofills) empty a field with a 'change' but
    // no 'input' event, and the next refresh would write the old value back.
    for (const event of ['input', 'change']) {
      node.addEventListener(event, () => { node.dataset.edited = '1'; });
    }
    return node;
  };
  return el('tr', {}, el('td', {}, c.name), el('td', { id: 'chain-state-' + c.index }, c.state),
    el('td', {}, input('frequency_mhz', 'freq-', c.limits.frequency, '0.01')),
    el('td', {}, input('core_volts', 'volts-', c.limits.core_volts, '0.005')),
    el('td', {}, input('target_c', 'target-', c.limits.target_c, '0.5')),
    el('td', {}, apply));
}

function showSettings(s) {
  settingsNow = Object.fromEntries(s.chains.map((c) => [c.index, c]));
  const key = JSON.stringify(s.chains.map((c) => [c.index, c.name, c.limits])) + state.loggedIn;
  if (key !== shownSettings) {
    shownSettings = key;
    document.querySelector('#settings tbody').replaceChildren(...s.chains.map(settingsRow));
    return;
  }
  for (const c of s.chains) {
    document.getElementById('chain-state-' + c.index).textContent = c.state;
    for (const [field, id] of kSettingFields) {
      const input = document.getElementById(id + c.index);
      const value = settingValue(c, field);
      // What the operator is typing, or typed and has not applied, is theirs.
      if (!input || input.dataset.edited || input === document.activeElement) { continue; }
      input.value = value === null ? '' : value;
    }
  }
}

function showSession(s) {
  state.loggedIn = s.logged_in;
  state.mayChange = s.may_change;
  state.passwordSet = s.password_set;
  if (s.csrf) { state.csrf = s.csrf; }
  document.getElementById('login').classList.toggle('hidden', s.logged_in);
  document.getElementById('logged-in').classList.toggle('hidden', !s.logged_in);
  document.querySelector('#add-pool button').disabled = !s.logged_in;
}

async function refresh() {
  try {
    showSession(await get('session'));
    if (state.page === 'overview') {
      showSummary(await get('summary'));
      showHistory(await get('history'));
    } else if (state.page === 'boards') {
      showChains(await get('chains'));
    } else if (state.page === 'pools') {
      showPools(await get('pools'));
    } else if (state.page === 'settings') {
      showSettings(await get('settings'));
    } else if (state.page === 'log') {
      document.getElementById('log-lines').textContent = (await get('log')).lines.join('\n');
    }
    state.refreshes++;
  } catch (e) {
    say('cannot reach the miner: ' + e.message, 'error');
  }
}

function showPage() {
  const page = (location.hash || '#overview').slice(1);
  state.page = document.getElementById('page-' + page) ? page : 'overview';
  for (const section of document.querySelectorAll('.page')) {
    section.classList.toggle('hidden', section.id !== 'page-' + state.page);
  }
  for (const link of document.querySelectorAll('nav a')) {
    link.classList.toggle('current', link.id === 'nav-' + state.page);
  }
  refresh();
}

document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const password = document.getElementById('password');
  const r = await send('POST', 'login', { password: password.value });
  password.value = '';
  if (r.ok) {
    state.csrf = r.data.csrf;
    say(state.mayChange ? 'logged in' : 'logged in, but this address may not change the miner ' +
        '(--api-allow W:...)', state.mayChange ? 'ok' : 'error');
  } else {
    say(r.data.error || 'HTTP ' + r.status, 'error');
  }
  refresh();
});

document.getElementById('logout').addEventListener('click', async () => {
  await send('POST', 'logout');
  state.csrf = null;
  say('logged out', 'ok');
  refresh();
});

document.getElementById('add-pool').addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value;
  const r = await send('POST', 'pools', {
    url: value('pool-url'), user: value('pool-user'), password: value('pool-password') });
  say(r.ok ? r.data.done : (r.data.error || 'HTTP ' + r.status), r.ok ? 'ok' : 'error');
  if (r.ok) { document.getElementById('add-pool').reset(); }
  refresh();
});

window.addEventListener('hashchange', showPage);
showPage();
setInterval(refresh, 2000);
