/* Insyn: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var lang = document.documentElement.lang || "sv";

  /* --- amounts: read what people type, write the way the page's language does ---------- */
  /* As the server's parse_amount: whole öre, or null for anything it would refuse (an
     ambiguous "12,345", spaces that are not thousands separators, more than two decimals). */
  function parseAmount(text) {
    var s = String(text || "").trim().replace(/\b(sek|kr\.?|gbp|eur|usd)\b|:-|£|€|\$/gi, "").trim();
    if (!s) return null;
    var negative = false;
    s = s.replace(/\u2212/g, "-");
    if (/^\(.*\)$/.test(s)) { negative = true; s = s.slice(1, -1).trim(); }
    if (/-$/.test(s)) { negative = !negative; s = s.slice(0, -1).trim(); }
    if (/^-/.test(s)) { negative = !negative; s = s.slice(1).trim(); } else if (/^\+/.test(s)) { s = s.slice(1).trim(); }
    var groups = s.split(/[ \u00a0\u202f\u2009']+/), spaced = groups.length > 1;
    if (spaced) {
      if (!/^\d{1,3}$/.test(groups[0])) return null;
      for (var g = 1; g < groups.length - 1; g++) if (!/^\d{3}$/.test(groups[g])) return null;
      if (!/^\d{3}([.,]\d+)?$/.test(groups[groups.length - 1])) return null;
      s = groups.join("");
    }
    if (!/^\d[\d.,]*$/.test(s)) return null;
    var comma = s.lastIndexOf(","), dot = s.lastIndexOf("."), intPart = s, frac = "";
    var grouped = function (digits, sep) {
      var parts = digits.split(sep);
      if (!/^\d{1,3}$/.test(parts[0])) return false;
      for (var i = 1; i < parts.length; i++) if (!/^\d{3}$/.test(parts[i])) return false;
      return true;
    };
    if (comma >= 0 && dot >= 0) {
      var dec = comma > dot ? "," : ".", thou = dec === "," ? "." : ",";
      if (s.split(dec).length > 2) return null;
      intPart = s.split(dec)[0]; frac = s.split(dec)[1];
      if (!grouped(intPart, thou)) return null;
      intPart = intPart.split(thou).join("");
    } else if (comma >= 0 || dot >= 0) {
      var sep = comma >= 0 ? "," : ".", parts = s.split(sep);
      if (parts.length > 2) {
        if (spaced || !grouped(s, sep)) return null;
        intPart = parts.join("");
      } else {
        intPart = parts[0]; frac = parts[1];
        if (!intPart || !frac) return null;
        if (frac.length === 3 && !spaced && intPart.length <= 3) return null;  /* ambiguous */
      }
    }
    if (frac.length > 2) return null;
    var ore = Number(intPart) * 100 + Number((frac + "00").slice(0, 2));
    return negative ? -ore : ore;
  }
  /* VAT in öre at a rate in percent, rounded half away from zero as the server does. */
  function vatOre(ore, rate) {
    var q = ore * rate;
    return (q < 0 ? -1 : 1) * Math.floor((Math.abs(q) + 50) / 100);
  }
  function formatOre(ore) {
    var sign = ore < 0 ? "-" : "";
    ore = Math.abs(ore);
    var whole = String(Math.floor(ore / 100)), cents = String(ore % 100).padStart(2, "0");
    var group = lang === "sv" ? " " : ",", point = lang === "sv" ? "," : ".";
    return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, group) + point + cents;
  }
  /* As the server's format_money: "1 234,50 kr" in Swedish, "SEK 1,234.50" in English. */
  function formatMoney(ore, currency) {
    var number = formatOre(ore);
    if (lang !== "sv") return currency + "\u00a0" + number;
    return number.replace(/ /g, "\u00a0") + "\u00a0" + (currency === "SEK" ? "kr" : currency);
  }

  /* --- vendor type-ahead: a combobox over /vendors/search.json ----------------------- */
  function vendorPicker(input) {
    var url = input.dataset.searchUrl;
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var hidden = input.form.querySelector("input[name='vendor_id']");
    var items = [], active = -1, timer = null, lastQuery = null;
    if (!url || !list || !hidden) return;

    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function render() {
      list.innerHTML = "";
      items.forEach(function (v, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.textContent = v.name;
        if (v.org_number) {
          var org = document.createElement("span");
          org.className = "org"; org.textContent = v.org_number; li.appendChild(org);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i, true); });
        list.appendChild(li);
      });
      var open = items.length > 0;
      list.hidden = !open; input.setAttribute("aria-expanded", open ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", input.id + "-option-" + active);
    }
    /* Picking a vendor (by click or by Enter) moves on to the field the clerk fills next,
       named by the input's data-next (the invoice number). */
    function pick(i, moveOn) {
      var v = items[i];
      input.value = v.label; hidden.value = v.id; close();
      input.dispatchEvent(new CustomEvent("vendor-picked", { bubbles: true, detail: v }));
      var next = moveOn && input.dataset.next && document.getElementById(input.dataset.next);
      if (next) next.focus();
    }
    function search(then) {
      var q = input.value.trim();
      if (q === lastQuery) { if (then) then(); return; }
      lastQuery = q;
      if (q.length < 1) { items = []; close(); return; }
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) {
          if (q !== input.value.trim()) return;
          items = data; active = -1; render();
          if (then) then();
        })
        .catch(function () { items = []; close(); });
    }
    input.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer); timer = setTimeout(search, 120);
    });
    input.addEventListener("keydown", function (e) {
      /* Enter in the vendor box never sends the form: it picks the suggestion marked (or the
         only one), or looks the text up and opens the suggestions. */
      if (e.key === "Enter") {
        e.preventDefault();
        if (!list.hidden && active >= 0) { pick(active, true); return; }
        if (!list.hidden && items.length === 1) { pick(0, true); return; }
        if (hidden.value && list.hidden) {
          var next = input.dataset.next && document.getElementById(input.dataset.next);
          if (next) next.focus();
          return;
        }
        clearTimeout(timer);
        search(function () { if (items.length === 1) pick(0, true); });
        return;
      }
      if (list.hidden && e.key === "ArrowDown") { lastQuery = null; search(); e.preventDefault(); return; }
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  /* --- invoice form: VAT from the rate, contracts of the chosen vendor ---------------- */
  function invoiceForm(form) {
    var net = form.querySelector("[name='net_amount']");
    var rate = form.querySelector("[name='vat_rate']");
    var vat = form.querySelector("[name='vat_amount']");
    if (net && rate && vat) {
      /* VAT follows the amount and the rate until the clerk types a VAT of their own; a VAT
         already in the form (editing, or a form sent back with errors) counts as typed when it
         is not the one the rate gives. */
      var expected = function () {
        var ore = parseAmount(net.value);
        return ore === null || rate.value === "" ? null : vatOre(ore, Number(rate.value));
      };
      var typed = vat.value.trim() !== "" && parseAmount(vat.value) !== expected();
      vat.addEventListener("input", function () { typed = vat.value.trim() !== ""; });
      var update = function () {
        if (typed || rate.value === "") return;
        var ore = expected();
        vat.value = ore === null ? "" : formatOre(ore);
      };
      net.addEventListener("input", update);
      rate.addEventListener("change", function () { typed = false; update(); });
    }
    var contracts = form.querySelector("[name='contract_id']");
    var url = form.dataset.contractsUrl;
    if (contracts && url) {
      form.addEventListener("vendor-picked", function (e) {
        fetch(url + "?vendor=" + encodeURIComponent(e.detail.id), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) {
            var none = contracts.options[0];
            contracts.innerHTML = ""; contracts.appendChild(none);
            data.forEach(function (c) {
              var o = document.createElement("option"); o.value = c.id; o.textContent = c.label;
              contracts.appendChild(o);
            });
            if (data.length === 1) contracts.value = String(data[0].id);
          });
      });
    }
  }

  /* --- "new category/department": hidden behind a link until wanted ------------------- */
  function inlineAdd(box) {
    var entry = box.querySelector(".new-entry");
    var select = box.querySelector("select");
    var input = entry && entry.querySelector("input");
    if (!entry || !select || !input || input.value.trim()) return;
    entry.hidden = true;
    var link = document.createElement("button");
    link.type = "button"; link.className = "link-button add-toggle";
    link.textContent = "+ " + entry.querySelector("label").textContent;
    link.addEventListener("click", function () {
      entry.hidden = false; link.hidden = true; input.focus();
    });
    select.parentNode.appendChild(link);
  }

  /* --- engagement form: started days, the rate in force and the fee, as you type ------ */
  function engagementForm(form) {
    var first = form.querySelector("[name='first_day']");
    var last = form.querySelector("[name='last_day']");
    var override = form.querySelector("[name='day_rate']");
    var out = document.getElementById("fee-preview");
    var url = form.dataset.rateUrl;
    if (!first || !out || !url) return;
    var update = function () {
      if (!first.value) { out.textContent = ""; return; }
      var a = new Date(first.value + "T00:00:00Z"), b = new Date((last.value || first.value) + "T00:00:00Z");
      var days = Math.round((b - a) / 86400000) + 1;
      if (!(days >= 1)) { out.textContent = ""; return; }
      fetch(url + "?day=" + encodeURIComponent(first.value), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          var typed = override ? parseAmount(override.value) : null;
          var rate = typed !== null ? typed : (data && data.day_rate ? parseAmount(data.day_rate) : null);
          if (rate === null) { out.textContent = form.dataset.noRate || ""; return; }
          var currency = (data && data.currency) || "SEK";
          var pattern = days === 1 ? form.dataset.previewOne : form.dataset.previewMany;
          out.textContent = (pattern || "")
            .replace("{days}", String(days))
            .replace("{rate}", formatMoney(rate, currency))
            .replace("{fee}", formatMoney(days * rate, currency));
        });
    };
    [first, last, override].forEach(function (el) { if (el) el.addEventListener("change", update); });
    if (override) override.addEventListener("input", update);
    update();
  }

  /* --- an import running in the background: follow its progress ---------------------- */
  function jobProgress(panel) {
    var bar = document.getElementById("job-progress");
    var label = document.getElementById("job-progress-text");
    var template = panel.dataset.template || "{done} / {total}";
    var number = function (n) { return n.toLocaleString(lang === "sv" ? "sv-SE" : "en-GB"); };
    var poll = function () {
      fetch(panel.dataset.jobStatus, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) return;
          if (job.status !== "queued" && job.status !== "running") { window.location.reload(); return; }
          if (job.total) {
            bar.max = job.total; bar.value = job.done;
            label.textContent = template.replace("{done}", number(job.done)).replace("{total}", number(job.total));
          }
          setTimeout(poll, 700);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }

  /* --- confirm before a destructive button ------------------------------------------- */
  function confirmForm(form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  }

  /* --- filters fold away on a phone, so the figures come first ----------------------- */
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 720px)") : null;
  function foldFilters(box) {
    if (narrow && narrow.matches) box.removeAttribute("open");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(foldFilters);
    document.querySelectorAll("input[data-vendor-search]").forEach(vendorPicker);
    document.querySelectorAll("form[data-vat-form]").forEach(invoiceForm);
    document.querySelectorAll(".inline-add").forEach(inlineAdd);
    document.querySelectorAll("form[data-engagement-form]").forEach(engagementForm);
    document.querySelectorAll("form[data-confirm]").forEach(confirmForm);
    document.querySelectorAll("[data-job-status]").forEach(jobProgress);
  });
})();
