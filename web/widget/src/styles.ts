// Everything the widget looks like, scoped to its shadow root. `:host` resets every
// property with !important, which beats the page's rules on the host element (even
// `* {…!important}`), so nothing the page inherits reaches inside.
export const CSS = `
:host{all:initial!important;display:block!important;position:static!important}
.lf{all:initial;display:block;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#111827;-webkit-text-size-adjust:100%}
:where(.lf *,.lf *::before,.lf *::after){box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:normal;text-transform:none;text-shadow:none;float:none}
.sr{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
[hidden]{display:none!important}
button{cursor:pointer;border:0;background:none;border-radius:8px}
:focus-visible{outline:3px solid var(--ring);outline-offset:2px}
.bubble{position:fixed;bottom:20px;right:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;background:var(--accent);color:var(--on-accent);display:flex;align-items:center;justify-content:center;box-shadow:0 6px 20px rgba(0,0,0,.25)}
.bubble svg{width:28px;height:28px;fill:currentColor}
.left .bubble{right:auto;left:20px}
.panel{position:fixed;bottom:92px;right:20px;z-index:2147483001;width:370px;max-width:calc(100vw - 40px);height:560px;max-height:calc(100vh - 112px);background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden;border:1px solid #d1d5db}
.left .panel{right:auto;left:20px}
.head{display:flex;align-items:center;gap:6px;padding:12px 12px 12px 16px;background:var(--accent);color:var(--on-accent)}
.head h2{flex:1;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.head button{color:inherit;padding:6px 8px;font-size:13px;text-decoration:underline}
.head .x{font-size:22px;line-height:1;text-decoration:none;width:36px;height:36px}
.bar{padding:8px 14px;font-size:13px;background:#fef3c7;color:#78350f;border-bottom:1px solid #fcd34d;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.bar.err{background:#fee2e2;color:#7f1d1d;border-color:#fca5a5}
.bar p{flex:1;min-width:60%}
.link{color:inherit;text-decoration:underline;font-weight:600;padding:2px 4px}
.body{flex:1;overflow-y:auto;padding:14px;background:#f9fafb;display:flex;flex-direction:column;gap:10px}
.intro{color:#374151}
form.contact{display:flex;flex-direction:column;gap:10px}
label{display:block;font-size:13px;font-weight:600;color:#374151;margin-bottom:3px}
input,textarea{display:block;width:100%;border:1px solid #6b7280;border-radius:8px;padding:9px 10px;background:#fff;color:#111827;font-size:15px}
input[aria-invalid=true]{border-color:#b91c1c}
.hint{font-size:12px;color:#4b5563;margin-top:2px}
.error{font-size:13px;color:#b91c1c;margin-top:3px}
.primary{background:var(--accent);color:var(--on-accent);padding:10px 14px;font-weight:600}
.log{display:flex;flex-direction:column;gap:8px}
.msg{max-width:85%;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.in{align-self:flex-end;background:var(--accent);color:var(--on-accent);border-bottom-right-radius:4px}
.msg.out{align-self:flex-start;background:#fff;border:1px solid #d1d5db;border-bottom-left-radius:4px}
.msg .who{display:block;font-size:12px;font-weight:600;color:#4b5563;margin-bottom:2px}
.msg.in .who{color:inherit}
.msg .meta{display:block;font-size:11px;margin-top:3px}
.msg.out .meta{color:#4b5563}
.msg.pending{background:#fff;color:#111827;border:2px dashed var(--ring)}
.msg.failed{background:#fff;color:#7f1d1d;border:2px solid #b91c1c}
.typing{align-self:flex-start;display:flex;gap:4px;padding:12px 14px;background:#fff;border:1px solid #d1d5db;border-radius:14px}
.typing i{width:7px;height:7px;border-radius:50%;background:#6b7280;animation:b 1.2s infinite}
.typing i:nth-child(3){animation-delay:.2s}.typing i:nth-child(4){animation-delay:.4s}
@keyframes b{0%,60%,100%{transform:none;opacity:.5}30%{transform:translateY(-4px);opacity:1}}
@media (prefers-reduced-motion:reduce){.typing i{animation:none}}
.composer{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;background:#fff;align-items:flex-end}
.composer textarea{resize:none;height:44px;max-height:120px}
.confirm{padding:10px 14px;background:#f3f4f6;border-bottom:1px solid #e5e7eb;font-size:13px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.confirm p{flex:1}
@media (max-width:480px){.panel{inset:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0;border:0}.open .bubble{display:none}}
`;
