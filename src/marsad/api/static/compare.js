/* marsad: compare with ACLED. The analyst picks an ACLED export; it is posted to /api/compare and
 * the report is shown: counts, disagreements per field, by event type and governorate, and the
 * lists of disagreeing pairs, marsad-only and ACLED-only events.
 *
 * Everything shown comes from the uploaded file or the database and is untrusted: the DOM is built
 * with createElement / textContent only, never innerHTML with data. The page's
 * Content-Security-Policy allows no inline script or style.
 */
(function () {
  "use strict";

  var MAX_ROWS = 500; // rows shown per list; marsad compare --csv writes every one
  var FIELD_LABELS = {
    event_type: "event type", sub_event_type: "sub-event type", event_date: "date (exact)",
    location: "location (more than 5 km apart)", admin1: "governorate", fatalities: "fatalities", actors: "actors"
  };
  var STATUS_LABELS = { matched: "matched", marsad_only: "marsad only", acled_only: "ACLED only" };

  // DOM helpers (text only): static/dom.js
  var el = window.MarsadDom.el, clear = window.MarsadDom.clear, $ = window.MarsadDom.$,
    setStatus = window.MarsadDom.setStatus;
  function show(v) { return v === null || v === undefined || v === "" ? "–" : String(v); }
  function actors(v) { return [v.actor1, v.actor2].filter(function (a) { return a; }).join(" & ") || "–"; }

  function table(node, head, rows) {
    clear(node);
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", { text: h.label, className: h.num ? "num" : null })); });
    node.appendChild(el("thead", {}, [tr]));
    var body = el("tbody");
    rows.forEach(function (r) { body.appendChild(r); });
    node.appendChild(body);
  }
  function cell(value, attrs) {
    var a = attrs || {};
    a.text = show(value);
    return el("td", a);
  }
  function num(value, dataset) { return el("td", { className: "num", text: show(value), dataset: dataset || null }); }

  function marsadLink(id) {
    // the main page opens an event named in its address: /#event=<id>
    return el("a", { href: "/#event=" + encodeURIComponent(id), target: "_blank", rel: "noopener", text: id,
      className: "marsad-event", dataset: { eventId: id } });
  }

  // ---------- the report ----------
  function render(report) {
    var w = report.window || {}, a = report.acled || {}, m = report.marsad || {}, c = report.counts || {};
    var from = { given: "given", marsad: "marsad's events", acled: "the ACLED rows" };
    $("#window").textContent = "Window: " + show(w.start) + " to " + show(w.end) + " (start: " +
      (from[w.start_from] || "open") + "; end: " + (from[w.end_from] || "open") + "). ACLED rows outside it, or "
      + "outside Syria, are not compared.";
    $("#acled-rows").textContent = "ACLED rows: " + a.rows + " read, " + a.skipped + " skipped (bad values), " +
      a.outside_syria + " outside Syria, " + a.outside_filters + " outside the filters, " + a.outside_window +
      " outside the window, " + a.compared + " compared. marsad events compared: " + m.compared + ".";
    var skipped = $("#skipped");
    clear(skipped);
    (a.skip_messages || []).forEach(function (msg) { skipped.appendChild(el("li", { text: "skipped " + msg })); });

    table($("#counts"), [{ label: "" }, { label: "matched", num: true }, { label: "marsad only", num: true },
      { label: "ACLED only", num: true }],
      [el("tr", {}, [el("th", { text: "events" }), num(c.matched, { status: "matched" }),
        num(c.marsad_only, { status: "marsad_only" }), num(c.acled_only, { status: "acled_only" })])]);

    var fields = report.fields || {};
    table($("#fields"), [{ label: "field" }, { label: "pairs compared", num: true }, { label: "disagree", num: true }],
      Object.keys(fields).map(function (f) {
        return el("tr", { dataset: { field: f } }, [cell(FIELD_LABELS[f] || f), num(fields[f].compared),
          num(fields[f].disagree, { disagree: fields[f].disagree })]);
      }));

    [["event_type", "#by-event-type", "event type"], ["admin1", "#by-admin1", "governorate"]].forEach(function (g) {
      var key = g[0];
      table($(g[1]), [{ label: g[2] }, { label: "matched", num: true }, { label: "marsad only", num: true },
        { label: "ACLED only", num: true }, { label: "disagreeing pairs" }],
        (report["by_" + key] || []).map(function (row) {
          var parts = Object.keys(row.disagreements || {}).map(function (f) {
            return (FIELD_LABELS[f] || f) + " " + row.disagreements[f];
          });
          return el("tr", { dataset: { group: row[key] || "" } }, [cell(row[key] || "(none)"), num(row.matched),
            num(row.marsad_only), num(row.acled_only),
            cell(row.disagreeing + (parts.length ? " (" + parts.join(", ") + ")" : ""))]);
        }));
    });

    var records = report.records || [];
    var disagreeing = records.filter(function (r) { return r.status === "matched" && r.disagreements.length; });
    list($("#disagreeing"), disagreeing, [{ label: "marsad" }, { label: "ACLED" }, { label: "field" },
      { label: "marsad says" }, { label: "ACLED says" }], pairRows);
    list($("#marsad-only"), records.filter(function (r) { return r.status === "marsad_only"; }),
      eventHead(), function (r) { return [eventRow(r, r.marsad, marsadLink(r.marsad_id))]; });
    list($("#acled-only"), records.filter(function (r) { return r.status === "acled_only"; }),
      eventHead(), function (r) { return [eventRow(r, r.acled, document.createTextNode(r.acled_id))]; });
    $("#report").hidden = false;
  }

  function list(node, records, head, rowsOf) {
    var rows = [];
    records.slice(0, MAX_ROWS).forEach(function (r) { rows = rows.concat(rowsOf(r)); });
    if (!records.length) rows.push(el("tr", {}, [el("td", { className: "more", colspan: head.length, text: "none" })]));
    if (records.length > MAX_ROWS) {
      rows.push(el("tr", {}, [el("td", { className: "more", colspan: head.length,
        text: "… and " + (records.length - MAX_ROWS) + " more (marsad compare --csv PATH lists every one)" })]));
    }
    table(node, head, rows);
    node.dataset.count = records.length;
  }

  function eventHead() {
    return [{ label: "id" }, { label: "date" }, { label: "sub-event type" }, { label: "location" },
      { label: "governorate" }, { label: "actors" }, { label: "fatalities", num: true }, { label: "notes" }];
  }
  function eventRow(r, v, idNode) {
    return el("tr", { dataset: { status: r.status } }, [el("td", {}, [idNode]), cell(v.event_date),
      cell(v.sub_event_type || v.event_type), cell(v.location), cell(v.admin1), cell(actors(v)), num(v.fatalities),
      cell(v.notes, { className: "notes" })]);
  }
  function pairRows(r) {
    return r.disagreements.map(function (f, i) {
      var ours, theirs;
      if (f === "actors") { ours = actors(r.marsad); theirs = actors(r.acled); }
      else if (f === "location") {
        ours = show(r.marsad.location) + " (" + show(r.distance_km) + " km apart)";
        theirs = r.acled.location;
      } else { ours = r.marsad[f]; theirs = r.acled[f]; }
      var first = i === 0;
      return el("tr", { dataset: { field: f, eventId: r.marsad_id } }, [
        first ? el("td", {}, [marsadLink(r.marsad_id)]) : el("td"),
        cell(first ? r.acled_id : ""), cell(FIELD_LABELS[f] || f), cell(ours, { className: "bad" }),
        cell(theirs, { className: "bad" })]);
    });
  }

  // ---------- posting the file ----------
  function submit(ev) {
    ev.preventDefault();
    var form = $("#compare-form");
    var file = $("#acled-file").files[0];
    if (!file) { setStatus("Pick an ACLED export first.", true); return; }
    var p = new URLSearchParams();
    ["date_from", "date_to", "status"].forEach(function (k) { if (form.elements[k].value) p.set(k, form.elements[k].value); });
    setStatus("Comparing " + file.name + " (" + Math.round(file.size / 1024) + " KB)…");
    document.body.dataset.done = "0";
    fetch("/api/compare" + (p.toString() ? "?" + p.toString() : ""), {
      method: "POST", body: file, headers: { "Content-Type": "text/csv", Accept: "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) {
          var detail = body && body.detail;
          if (Array.isArray(detail)) detail = detail.map(function (d) { return d.msg; }).join("; ");
          throw new Error(detail || ("HTTP " + r.status));
        }
        return body;
      });
    }).then(function (report) {
      render(report);
      var c = report.counts;
      setStatus(file.name + ": " + c.matched + " matched, " + c.marsad_only + " marsad only, " + c.acled_only +
        " ACLED only.");
      document.body.dataset.done = "1";
    }).catch(function (err) {
      $("#report").hidden = true;
      setStatus("Could not compare: " + err.message, true);
      document.body.dataset.done = "error";
    });
  }

  function start() {
    $("#compare-form").addEventListener("submit", submit);
    document.body.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
