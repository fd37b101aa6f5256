//! The page's style sheet and its one small script (live updates and
//! saving who you act as), inline so the page needs no build step.

/// Colours meet WCAG 2.2 AA contrast on white; focus is always visible.
pub(crate) const STYLE: &str = r#"
:root { font-family: system-ui, sans-serif; color: #1d1c1d; background: #fff; line-height: 1.4; }
body { margin: 0; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px; z-index: 10; }
header { display: flex; gap: 2rem; align-items: center; background: #3f0e40; color: #fff; padding: .5rem 1rem; }
header a { color: #fff; }
header ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.brand { font-weight: bold; margin: 0; }
main { padding: 0 1rem 2rem; }
h1 { font-size: 1.4rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.controls { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-end; border-bottom: 1px solid #ccc; padding-bottom: 1rem; }
#command { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; flex: 1 1 40rem; }
.field { display: flex; flex-direction: column; gap: .2rem; margin: .5rem 0; }
.field.grow { flex: 1 1 20rem; }
label, legend { font-weight: 600; }
input[type=text], select, textarea { font: inherit; padding: .35rem; border: 1px solid #616061; border-radius: 4px; }
.hint { color: #4a4a4a; font-size: .9rem; margin: 0; }
.error { color: #b00020; font-weight: 600; margin: 0; }
[aria-invalid=true] { border: 2px solid #b00020; }
.button { font: inherit; padding: .35rem .8rem; border: 1px solid #616061; border-radius: 4px; background: #fff; color: #1d1c1d; cursor: pointer; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.danger { background: #c0143c; border-color: #c0143c; color: #fff; }
.button.small { font-size: .85rem; padding: .1rem .5rem; }
.link { font: inherit; background: none; border: none; color: #1264a3; text-decoration: underline; padding: 0; cursor: pointer; }
a { color: #1264a3; }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.inline { display: inline-block; margin: .2rem .3rem .2rem 0; }
.workspace { display: flex; gap: 2rem; margin-top: 1rem; }
.channels { flex: 0 0 16rem; }
.channels h2 { font-size: 1.1rem; }
.channels ul { list-style: none; padding: 0; margin: 0; }
.channels li { margin: .3rem 0; }
[aria-current=page] { font-weight: bold; }
.channel { flex: 1; min-width: 0; }
.topic { background: #f4ede4; padding: .4rem; border-radius: 4px; }
.messages { list-style: none; padding: 0; }
.message { border-top: 1px solid #ddd; padding: .5rem 0; }
.author { margin: 0 0 .2rem; }
.header { font-size: 1.15rem; margin: .3rem 0; }
.fields { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .2rem 1rem; }
.fields p { margin: .2rem 0; }
.context { color: #4a4a4a; font-size: .9rem; }
.thread { border-left: 4px solid #ccc; padding-left: 1rem; margin-left: .5rem; }
.thread h3 { font-size: 1rem; }
.ephemeral { background: #eef4fb; border-left: 4px solid #1264a3; padding: .3rem .8rem; margin: .8rem 0; }
.only { font-size: .85rem; color: #4a4a4a; margin: .2rem 0; }
.modal { border: 2px solid #3f0e40; border-radius: 8px; padding: 0 1rem 1rem; margin: 1rem 0; max-width: 40rem; box-shadow: 0 4px 16px rgba(0,0,0,.25); }
fieldset { border: 1px solid #ccc; border-radius: 4px; }
.choice { margin: .2rem 0; }
.mention { background: #e8f5fa; color: #0b4c8c; border-radius: 3px; padding: 0 2px; }
code { background: #f3f3f3; border: 1px solid #ddd; border-radius: 3px; padding: 0 3px; color: #c01343; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
caption { text-align: left; font-weight: bold; font-size: 1.1rem; padding: .4rem 0; }
mark { background: #fff0b3; color: #1d1c1d; }
td ul { margin: 0; padding-left: 1rem; }
"#;

/// Moves focus into a modal when the page shows one. Polls `/version` each second; when it changes, redraws `#live` from
/// the page's own address, unless a control inside it has focus (a
/// person mid-way through a form keeps what they typed). Choosing whom
/// to act as is saved at once, without leaving the page. After a redraw
/// the newest message is read out through a polite live region.
pub(crate) const SCRIPT: &str = r#"
(function () {
  var seen = null;
  function busy() {
    var live = document.getElementById('live');
    var a = document.activeElement;
    return live && a && a !== document.body && live.contains(a);
  }
  var said = null;
  // Reads out the newest message after a redraw, once.
  function announce(fresh) {
    var all = fresh.querySelectorAll('article.message');
    var box = document.getElementById('announce');
    if (!all.length || !box) { return; }
    var text = all[all.length - 1].textContent.replace(/\s+/g, ' ').trim().slice(0, 300);
    if (text && text !== said) { said = text; box.textContent = 'New message: ' + text; }
  }
  function poll() {
    fetch('/version', {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (v) {
      if (seen === null) { seen = v; return; }
      if (v === seen || busy()) { return; }
      return fetch(location.href, {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('live');
        var clock = doc.getElementById('clock-now');
        if (fresh) {
          document.getElementById('live').innerHTML = fresh.innerHTML;
          announce(fresh);
        }
        if (clock) { document.getElementById('clock-now').innerHTML = clock.innerHTML; }
        seen = v;
      });
    }).catch(function () {}).finally(function () { setTimeout(poll, 1000); });
  }
  poll();
  // A modal opened: take the person to it (its first field in error, or
  // its first field), as Slack's client does.
  var modal = document.querySelector('.modal');
  if (modal) {
    var first = modal.querySelector('[aria-invalid=true]') ||
      modal.querySelector('input:not([type=hidden]), select, textarea, button');
    if (first) { first.focus(); }
  }
  var as = document.getElementById('as');
  if (as) {
    as.addEventListener('change', function () {
      var body = new URLSearchParams({as: as.value, back: '/'});
      // Saved at once, without reloading (focus stays on the picker); the
      // version changes, so the poll redraws what depends on who you are.
      fetch('/as', {method: 'POST', body: body});
    });
  }
})();
"#;
