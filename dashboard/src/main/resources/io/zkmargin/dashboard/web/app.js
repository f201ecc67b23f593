// zkmargin dashboard: trader view (signed-in account), operator & auditor view. No framework; Chart.js for charts.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { account: null, quote: 'USDC', charts: {}, risk: null };

  // ---- formatting (units always shown) ----
  /** Quote atoms (decimal string, 6 decimals) as "1,234.567890 USDC", exactly as ./zkm margin prints them. */
  function atoms(s, symbol) {
    let v = BigInt(s);
    const neg = v < 0n;
    if (neg) v = -v;
    const whole = (v / 1000000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    const frac = (v % 1000000n).toString().padStart(6, '0');
    return (neg ? '-' : '') + whole + '.' + frac + (symbol ? ' ' + symbol : '');
  }
  const nf = (d) => new Intl.NumberFormat('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const money = (x, d = 2) => nf(d).format(x) + ' ' + state.quote;
  const num = (x, d) => nf(d).format(x);
  const short = (x) => new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(x);
  function health(bps) {
    return bps === null ? 'n/a (no margin requirement)' : (bps / 100).toFixed(2) + '% of MM (' + bps + ' bps)';
  }
  function statusText(m) {
    return m.liquidatable ? 'LIQUIDATABLE (equity below maintenance margin)'
      : m.meetsInitialMargin ? 'healthy (meets initial margin)' : 'reduce-only (between MM and IM)';
  }
  const statusClass = (m) => (m.liquidatable ? 'bad' : m.meetsInitialMargin ? 'good' : 'warn');

  async function api(path, opts = {}) {
    const headers = Object.assign({}, opts.headers || {});
    if (opts.method === 'POST') headers['X-ZKM'] = '1';
    const r = await fetch(path, Object.assign({}, opts, { headers, credentials: 'same-origin' }));
    let body = null;
    try { body = await r.json(); } catch (e) { body = {}; }
    if (!r.ok) { const err = new Error(body.error || ('HTTP ' + r.status)); err.status = r.status; throw err; }
    return body;
  }

  // ---- routing ----
  async function route() {
    const view = location.hash === '#auditor' ? 'auditor' : 'trader';
    $('nav-trader').classList.toggle('active', view === 'trader');
    $('nav-auditor').classList.toggle('active', view === 'auditor');
    for (const v of ['signin', 'trader', 'auditor']) $('view-' + v).hidden = true;
    if (view === 'auditor') { $('view-auditor').hidden = false; await loadOperator(); return; }
    try {
      const s = await api('/api/session');
      state.account = s.account;
    } catch (e) { state.account = null; }
    showWho();
    if (state.account === null) { $('view-signin').hidden = false; await newChallenge(); return; }
    $('view-trader').hidden = false;
    await loadTrader();
  }
  function showWho() {
    $('who').textContent = state.account === null ? 'not signed in' : 'signed in as account ' + state.account;
    $('signout').hidden = state.account === null;
  }

  // ---- sign-in ----
  let challenge = null;
  async function newChallenge() {
    const c = await api('/api/challenge');
    challenge = c.challenge;
    $('challenge').textContent = challenge;
    updateCommand(c.command);
  }
  function updateCommand(template) {
    const cmd = (template || $('signin-command').dataset.template || '');
    $('signin-command').dataset.template = cmd;
    $('signin-command').textContent = cmd.replace('ACCOUNT', $('signin-account').value || 'ACCOUNT');
  }
  async function doSignIn() {
    $('signin-error').textContent = '';
    try {
      await api('/api/signin', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ account: Number($('signin-account').value), challenge, signature: $('signin-signature').value.trim() }) });
      $('signin-signature').value = '';
      await route();
    } catch (e) {
      $('signin-error').textContent = e.message;
      await newChallenge();
    }
  }

  // ---- trader view ----
  async function loadTrader() {
    let r;
    try { r = await api('/api/accounts/' + state.account + '/risk'); }
    catch (e) { $('t-status').textContent = e.message; return; }
    state.risk = r;
    state.quote = r.quote;
    document.querySelectorAll('.quote').forEach((el) => { el.textContent = r.quote; });
    const m = r.margin;
    $('t-account').textContent = r.account;
    $('t-epoch').textContent = r.epoch;
    $('t-equity').textContent = atoms(m.equityAtoms, r.quote);
    $('t-im').textContent = atoms(m.initialMarginAtoms, r.quote);
    $('t-mm').textContent = atoms(m.maintenanceMarginAtoms, r.quote);
    $('t-health').textContent = health(m.healthRatioBps);
    $('t-status').textContent = statusText(m);
    $('t-status').className = 'value ' + statusClass(m);
    const lad = r.spotLadder;
    $('t-underlying').textContent = lad.underlying + ' (spot ' + money(lad.spot) + ')';
    $('t-liq').textContent = lad.liquidationPrice === null ? 'none within ±50% of spot'
      : lad.underlying + ' ' + money(lad.liquidationPrice) + ' (' + num((lad.liquidationPrice / lad.spot - 1) * 100, 1) + '%)';
    pnlChart(lad, null);
    heatmap(r.scenarios);
    const tb = $('greeks').tBodies[0];
    tb.innerHTML = '';
    if (r.greeks.length === 0) tb.insertRow().insertCell().textContent = '(no exposure)';
    for (const g of r.greeks) {
      const row = tb.insertRow();
      const cells = [g.underlying, num(g.delta, 6) + ' ' + g.underlying, money(g.deltaValue), money(g.gammaValue1Pct),
        money(g.vega), money(g.theta), num(g.vanna, 6) + ' ' + g.underlying, num(g.charm, 6) + ' ' + g.underlying];
      for (const c of cells) row.insertCell().textContent = c;
    }
    $('t-var-label').textContent = r.var.horizonDays + '-day VaR ' + Math.round(r.var.confidence * 100) + '%';
    $('t-var').textContent = money(r.var.valueAtRisk);
    $('t-es').textContent = money(r.var.expectedShortfall);
    $('t-stress-name').textContent = r.var.stressName;
    $('t-stress').textContent = money(r.var.stressPnl);
    const pos = $('positions');
    pos.innerHTML = '';
    if (r.positions.length === 0) pos.innerHTML = '<li class="muted">no positions (collateral only)</li>';
    for (const p of r.positions) {
      const li = document.createElement('li');
      li.textContent = p.instrument + ': ' + p.lots + ' lots';
      pos.appendChild(li);
    }
    const sel = $('w-instrument');
    if (sel.options.length === 0) {
      for (const i of r.venue.instruments) {
        const o = document.createElement('option');
        o.value = i.id;
        o.textContent = i.name + ' (mark ' + atoms(i.markAtoms, r.quote) + ' / lot)';
        sel.appendChild(o);
      }
    }
  }

  function pnlChart(lad, after) {
    if (!window.Chart) return;
    const pts = (ys, l) => l.spots.map((x, i) => ({ x, y: ys[i] }));
    const all = lad.pnl.concat(lad.maintenanceLine, after ? after.pnl.concat(after.maintenanceLine) : []);
    const lo = Math.min(...all), hi = Math.max(...all);
    const ds = [
      { label: 'P&L (' + state.quote + ')', data: pts(lad.pnl, lad), borderColor: '#58a6ff', pointRadius: 0, borderWidth: 2 },
      { label: 'maintenance line', data: pts(lad.maintenanceLine, lad), borderColor: '#f85149', pointRadius: 0, borderWidth: 1.5 },
    ];
    if (lad.liquidationPrice !== null) {
      ds.push({ label: 'est. liquidation ' + short(lad.liquidationPrice), data: [{ x: lad.liquidationPrice, y: lo }, { x: lad.liquidationPrice, y: hi }],
        borderColor: '#d29922', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
    }
    if (after) {
      ds.push({ label: 'P&L after what-if', data: pts(after.pnl, after), borderColor: '#a371f7', pointRadius: 0, borderWidth: 2, borderDash: [3, 3] });
      ds.push({ label: 'maintenance after', data: pts(after.maintenanceLine, after), borderColor: '#ff7b72', pointRadius: 0, borderWidth: 1, borderDash: [3, 3] });
      if (after.liquidationPrice !== null) {
        ds.push({ label: 'liquidation after ' + short(after.liquidationPrice), data: [{ x: after.liquidationPrice, y: lo }, { x: after.liquidationPrice, y: hi }],
          borderColor: '#e3b341', borderDash: [2, 2], pointRadius: 0, borderWidth: 1 });
      }
    }
    if (state.charts.pnl) state.charts.pnl.destroy();
    state.charts.pnl = new Chart($('pnl-chart'), {
      type: 'line', data: { datasets: ds },
      options: { animation: false, maintainAspectRatio: false, parsing: true,
        scales: { x: { type: 'linear', title: { display: true, text: lad.underlying + ' spot (' + state.quote + ')' }, ticks: { callback: (v) => short(v), color: '#8b9bab' }, grid: { color: '#223' } },
          y: { title: { display: true, text: 'P&L (' + state.quote + ')' }, ticks: { callback: (v) => short(v), color: '#8b9bab' }, grid: { color: '#223' } } },
        plugins: { legend: { labels: { color: '#e6edf3', boxWidth: 12 } },
          tooltip: { callbacks: { label: (c) => c.dataset.label + ': ' + money(c.parsed.y) + ' at ' + money(c.parsed.x) } } } },
    });
  }

  function heatmap(sc) {
    const el = $('heatmap');
    el.innerHTML = '';
    const moves = [...new Set(sc.list.map((s) => s.moveNum / s.moveDen))].sort((a, b) => a - b);
    const moveLabel = (mv) => { const s = sc.list.find((x) => x.moveNum / x.moveDen === mv);
      return mv === 0 ? 'spot flat' : (mv > 0 ? '+' : '') + s.moveNum + (s.moveDen === 1 ? '' : '/' + s.moveDen) + ' range' + (s.extreme ? ' (extreme)' : ''); };
    const vols = [...new Set(sc.list.map((s) => s.vol))].sort((a, b) => b - a);
    const maxAbs = Math.max(1, ...sc.list.map((s) => Math.abs(Number(s.pnlAtoms))));
    el.style.gridTemplateColumns = '5.5em repeat(' + moves.length + ', minmax(0, 1fr))';
    const head = (t) => { const d = document.createElement('div'); d.className = 'head'; d.textContent = t; el.appendChild(d); };
    head('vol \\ spot');
    for (const mv of moves) head(moveLabel(mv));
    const worst = sc.list.find((s) => s.index === sc.worst);
    $('t-worst').textContent = worst ? '#' + worst.index + ' ' + worst.label + ': ' + atoms(worst.pnlAtoms, state.quote) : 'no scenario loses';
    for (const v of vols) {
      head(v > 0 ? 'vol up' : v < 0 ? 'vol down' : 'vol flat');
      for (const mv of moves) {
        const s = sc.list.find((x) => x.vol === v && x.moveNum / x.moveDen === mv);
        const d = document.createElement('div');
        d.className = 'cell';
        if (s) {
          const p = Number(s.pnlAtoms);
          const a = Math.min(1, Math.abs(p) / maxAbs);
          d.style.background = p < 0 ? 'rgba(248,81,73,' + (0.15 + 0.85 * a) + ')' : 'rgba(63,185,80,' + (0.15 + 0.85 * a) + ')';
          d.textContent = short(p / 1e6);
          d.title = '#' + s.index + ' ' + s.label + ': ' + atoms(s.pnlAtoms, state.quote);
          d.dataset.scenario = s.index;
          if (s.index === sc.worst) d.classList.add('worst');
        } else { d.style.background = '#0b121a'; }
        el.appendChild(d);
      }
    }
  }

  async function whatIf() {
    $('w-error').textContent = '';
    try {
      const r = await api('/api/accounts/' + state.account + '/whatif', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ instrumentId: Number($('w-instrument').value), lots: Number($('w-lots').value) }) });
      const b = r.before, a = r.after, q = state.quote;
      $('w-eq0').textContent = atoms(b.equityAtoms, q); $('w-eq1').textContent = atoms(a.equityAtoms, q);
      $('w-im0').textContent = atoms(b.initialMarginAtoms, q); $('w-im1').textContent = atoms(a.initialMarginAtoms, q);
      $('w-mm0').textContent = atoms(b.maintenanceMarginAtoms, q); $('w-mm1').textContent = atoms(a.maintenanceMarginAtoms, q);
      $('w-st0').textContent = b.status; $('w-st1').textContent = a.status; $('w-st1').className = statusClass(a);
      const liq = (l) => (l.liquidationPrice === null ? 'none within ±50%' : l.underlying + ' ' + money(l.liquidationPrice));
      $('w-liq0').textContent = liq(r.ladderBefore); $('w-liq1').textContent = liq(r.ladderAfter);
      $('w-largest').textContent = num(r.largestOrderLots, 0) + ' lots ' + (r.lots > 0 ? 'bought' : 'sold') + ' of ' + r.instrument;
      $('w-result').hidden = false;
      pnlChart(r.ladderBefore, r.ladderAfter);
    } catch (e) { $('w-error').textContent = e.message; }
  }

  async function requestProof() {
    $('p-error').textContent = '';
    $('p-download').hidden = true;
    const list = $('p-progress');
    list.innerHTML = '';
    let job;
    try {
      job = await api('/api/accounts/' + state.account + '/proofs', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ thresholdBps: Number($('p-threshold').value) }) });
    } catch (e) { $('p-error').textContent = e.message; return; }
    const es = new EventSource(job.events);
    const step = (ev) => {
      const d = JSON.parse(ev.data);
      const li = document.createElement('li');
      li.className = d.stage;
      li.dataset.stage = d.stage;
      li.textContent = d.stage + ': ' + d.detail;
      list.appendChild(li);
      if (d.stage === 'done') {
        es.close();
        const a = $('p-download');
        a.href = job.file;
        a.download = 'health-' + state.account + '-' + $('p-threshold').value + 'bps.json';
        a.hidden = false;
      } else if (d.stage === 'failed') { es.close(); $('p-error').textContent = d.detail; }
    };
    for (const s of ['queued', 'witness', 'proving', 'done', 'failed']) es.addEventListener(s, step);
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) return; };
  }

  // ---- operator & auditor view ----
  async function loadOperator() {
    const o = await api('/api/operator');
    $('o-queue').textContent = o.queueDepth + ' job' + (o.queueDepth === 1 ? '' : 's');
    $('o-running').textContent = String(o.running);
    $('o-done').textContent = num(o.proofsDone, 0);
    $('o-accounts').textContent = num(o.accounts, 0);
    $('o-circuit').textContent = o.circuit;
    $('o-vk').textContent = o.verifyingKeyHash || '';
    $('o-state').textContent = o.stateRootHex;
    $('o-risk').textContent = o.riskRootHex;
    $('o-epoch').textContent = o.epoch;
    const c = o.onChain;
    if (c.chain === 'up') {
      $('o-state-chain').innerHTML = '';
      $('o-state-chain').append(mark(c.stateRootSettled, c.stateRootSettled ? 'settled in batch ' + c.stateRootBatch + (c.stateRootCurrent ? ' (current)' : '') : 'not settled'));
      $('o-risk-chain').innerHTML = '';
      $('o-risk-chain').append(mark(c.riskRootUsable, c.riskRootUsable ? 'posted ' + new Date(c.riskRootPostedAt * 1000).toISOString().replace('.000', '') + ', usable' : 'not usable (not posted, expired or stale)'));
      $('o-settlement').textContent = c.settlement;
    } else {
      $('o-state-chain').textContent = 'not checked (chain ' + c.chain + '): ' + (c.message || '');
      $('o-risk-chain').textContent = 'not checked (chain ' + c.chain + ')';
      $('o-settlement').textContent = c.settlement || '—';
    }
    const ms = o.recentProofs.map((p) => p.ms);
    $('o-times-summary').textContent = ms.length === 0 ? 'no proof yet'
      : ms.length + ' proof(s); last ' + num(ms[ms.length - 1], 0) + ' ms, median ' + num([...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)], 0) + ' ms';
    if (window.Chart) {
      if (state.charts.times) state.charts.times.destroy();
      state.charts.times = new Chart($('times-chart'), {
        type: 'bar',
        data: { labels: o.recentProofs.map((p) => new Date(p.atMillis).toLocaleTimeString()),
          datasets: [{ label: 'prover time (ms)', data: ms, backgroundColor: '#58a6ff', maxBarThickness: 48 }] },
        options: { animation: false, maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' }, ticks: { color: '#8b9bab' }, grid: { color: '#223' } }, x: { ticks: { color: '#8b9bab' } } },
          plugins: { legend: { labels: { color: '#e6edf3' } } } },
      });
    }
  }
  function mark(ok, text) {
    const s = document.createElement('span');
    s.className = ok ? 'good' : 'bad';
    s.textContent = (ok ? '✔ ' : '✘ ') + text;
    return s;
  }

  async function verifyFile(file) {
    const out = $('verify-verdict');
    out.textContent = 'verifying ' + file.name + '…';
    out.className = 'verdict';
    try {
      const text = await file.text();
      const v = await api('/api/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
      out.textContent = v.line;
      out.dataset.verdict = v.verdict;
      out.className = 'verdict ' + (v.verdict === 'VALID' ? 'good' : v.verdict === 'INVALID' ? 'bad' : 'warn');
    } catch (e) { out.textContent = 'INVALID: ' + e.message; out.dataset.verdict = 'INVALID'; out.className = 'verdict bad'; }
  }

  // ---- wiring ----
  document.addEventListener('DOMContentLoaded', () => {
    window.addEventListener('hashchange', route);
    $('new-challenge').addEventListener('click', newChallenge);
    $('signin-account').addEventListener('input', () => updateCommand());
    $('signin-button').addEventListener('click', doSignIn);
    $('signout').addEventListener('click', async () => { await api('/api/signout', { method: 'POST' }); state.account = null; route(); });
    $('w-button').addEventListener('click', whatIf);
    $('p-button').addEventListener('click', requestProof);
    const dz = $('dropzone');
    dz.addEventListener('dragover', (e) => { e.preventDefault(); dz.classList.add('over'); });
    dz.addEventListener('dragleave', () => dz.classList.remove('over'));
    dz.addEventListener('drop', (e) => { e.preventDefault(); dz.classList.remove('over'); if (e.dataTransfer.files[0]) verifyFile(e.dataTransfer.files[0]); });
    $('verify-file').addEventListener('change', (e) => { if (e.target.files[0]) verifyFile(e.target.files[0]); });
    route().then(() => { document.body.dataset.ready = 'true'; });
    setInterval(() => { if (location.hash === '#auditor') loadOperator().catch(() => {}); }, 5000);
  });
})();
