/**
 * The sandbox's web pages: a list of the phones the business has written to, and a phone-like chat
 * per contact where a person reads the messages and taps reply buttons (each tap becomes a signed
 * incoming-message webhook to the daemon). Plain HTML and a small polling script, no build step.
 */

const STYLE = `
body{margin:0;font-family:system-ui,sans-serif;background:#d9dbd5}
.phone{max-width:420px;margin:16px auto;background:#efeae2;border-radius:24px;overflow:hidden;
  box-shadow:0 4px 24px #0003;display:flex;flex-direction:column;height:calc(100vh - 32px)}
header{background:#075e54;color:#fff;padding:14px 18px;font-weight:600}
header small{display:block;font-weight:400;opacity:.8}
#chat{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;box-shadow:0 1px 1px #0002}
.out{align-self:flex-start;background:#fff}.in{align-self:flex-end;background:#d9fdd3}
.meta{font-size:11px;color:#667;margin-top:4px}.tpl{font-size:11px;color:#075e54}
.buttons{display:flex;flex-direction:column;gap:4px;margin-top:6px}
.buttons button{background:#fff;border:1px solid #cfd8d4;border-radius:8px;padding:7px;color:#027eb5;
  font-size:14px;cursor:pointer}
.buttons button:disabled{color:#999;cursor:default}
form{display:flex;gap:6px;padding:8px;background:#f0f2f5}
form input{flex:1;padding:9px;border-radius:18px;border:1px solid #ccc}
form button{border:0;background:#00a884;color:#fff;border-radius:18px;padding:0 14px}
ul{max-width:420px;margin:24px auto;background:#fff;border-radius:12px;padding:12px 28px}
li{margin:8px 0}`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function indexPage(phones: readonly string[]): string {
  const items = phones.length
    ? phones.map((p) => `<li><a href="/phone/${escapeHtml(p)}">+${escapeHtml(p)}</a></li>`).join('')
    : '<li>No messages yet. Point Cowbell at this sandbox and raise an alert.</li>';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Cowbell WhatsApp sandbox</title>
<meta http-equiv="refresh" content="3"><style>${STYLE}</style></head>
<body><ul><h2>Cowbell WhatsApp sandbox</h2>${items}</ul></body></html>`;
}

export function chatPage(phone: string, businessName: string): string {
  const script = `
const phone = ${JSON.stringify(phone)};
const chat = document.getElementById('chat');
let shown = '';
async function refresh() {
  const res = await fetch('/api/phones/' + phone + '/messages?seen=1');
  const messages = await res.json();
  const key = JSON.stringify(messages);
  if (key === shown) return;
  shown = key;
  chat.replaceChildren(...messages.map(render));
  chat.scrollTop = chat.scrollHeight;
}
function render(m) {
  const div = document.createElement('div');
  div.className = 'msg ' + m.direction;
  div.dataset.id = m.id;
  div.dataset.testid = 'message';
  if (m.template) {
    const t = document.createElement('div');
    t.className = 'tpl';
    t.textContent = 'template ' + m.template;
    div.append(t);
  }
  div.append(document.createTextNode(m.text));
  if (m.buttons.length) {
    const box = document.createElement('div');
    box.className = 'buttons';
    for (const b of m.buttons) {
      const btn = document.createElement('button');
      btn.textContent = b.title;
      btn.onclick = async () => {
        btn.disabled = true;
        await reply({ kind: 'button', payload: b.payload, title: b.title, contextId: m.id, replyType: m.replyType });
      };
      box.append(btn);
    }
    div.append(box);
  }
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = new Date(m.at).toLocaleTimeString() + (m.status ? ' · ' + m.status : '');
  div.append(meta);
  return div;
}
async function reply(body) {
  await fetch('/api/phones/' + phone + '/reply', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await refresh();
}
document.getElementById('send').onsubmit = async (e) => {
  e.preventDefault();
  const input = document.getElementById('text');
  if (!input.value.trim()) return;
  const text = input.value;
  input.value = '';
  await reply({ kind: 'text', text });
};
refresh();
setInterval(refresh, 700);`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>+${escapeHtml(phone)} · Cowbell sandbox</title><style>${STYLE}</style></head>
<body><div class="phone"><header>${escapeHtml(businessName)}<small>chat with +${escapeHtml(phone)}</small></header>
<div id="chat"></div>
<form id="send"><input id="text" autocomplete="off" placeholder="Message (try OK, SNOOZE 2H, STATUS, HELP)"><button>Send</button></form>
</div><script type="module">${script}</script></body></html>`;
}
