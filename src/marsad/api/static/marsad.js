/* marsad web map: filters, map, timeline, events table and the event view with its evidence.
 *
 * Everything shown from the database (article text, titles, actors, notes ...) is untrusted:
 * the DOM is built with createElement / textContent only, never innerHTML with data, and Leaflet
 * popups and tooltips are given DOM nodes, not HTML strings. The page's Content-Security-Policy
 * allows no inline script.
 */
(function () {
  "use strict";

  var MAX_EVENTS = 1000; // the API's largest page: the map and timeline show the newest matches
  var PAGE = 50; // table rows per page
  var BOUNDARIES_URL = "/static/boundaries/syr_admin1.geojson";
  var PLACES_URL = "/static/boundaries/syr_places.geojson"; // governorate, capital and district-seat labels
  var TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var FILTERS = ["date_from", "date_to", "admin1", "event_type", "sub_event_type", "actor", "source", "q", "status"];
  // facets (GET /api/facets): each sets the filter of its name; [name, heading]
  var FACETS = [["event_type", "Event type"], ["sub_event_type", "Sub-event type"], ["admin1", "Governorate"],
    ["actor", "Actor"], ["source", "Outlet"], ["status", "Review status"]];
  var FACET_SIZE = 15;
  // table columns the API sorts by (order=), each with the direction of its first click
  var SORTS = { event_date: "-", event_type: "", sub_event_type: "", location: "", fatalities: "-" };
  var DEFAULT_ORDER = "-event_date"; // newest first: the API's order=date
  var SYRIA = [[32.3, 35.6], [37.4, 42.4]];
  var MIN_TIMELINE_DAYS = 31; // the timeline spans at least this many days
  var FILTER_LABELS = { date_from: "from", date_to: "to", admin1: "governorate", event_type: "event type",
    sub_event_type: "sub-event type", actor: "actor", source: "outlet", q: "text", status: "review" };
  var TOKEN_KEY = "marsad-token"; // the write token, asked once and kept for this tab

  // ACLED's event types and sub-event types (ACLED codebook).
  var TAXONOMY = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
      "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
      "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory", "Other"]
  };
  var TYPE_COLOURS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#d35400",
    "Violence against civilians": "#8e44ad",
    "Protests": "#2980b9",
    "Riots": "#16a085",
    "Strategic developments": "#7f8c8d"
  };
  var FIELD_LABELS = {
    event_date: "date", event_type: "event type", sub_event_type: "sub-event type",
    actor1: "actor 1", assoc_actor_1: "associated actor 1", actor2: "actor 2", assoc_actor_2: "associated actor 2",
    location: "location", admin1: "governorate", admin2: "district", admin3: "sub-district",
    fatalities: "fatalities", civilian_targeting: "civilian targeting", interaction: "interaction",
    latitude: "latitude", longitude: "longitude", geo_precision: "geo precision", time_precision: "time precision"
  };
  var FIELD_ORDER = ["event_id_cnty", "event_date", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "location", "admin1", "admin2", "admin3", "latitude", "longitude", "geo_precision", "fatalities", "source",
    "source_scale", "notes", "confidence", "n_reports", "n_sources", "review_status"];
  // fields a reviewer corrects, with the input each takes (store/review.py EDITABLE)
  var EDIT_FIELDS = [["sub_event_type", "select"], ["event_date", "date"], ["fatalities", "number"],
    ["actor1", "text"], ["actor2", "text"], ["assoc_actor_1", "text"], ["assoc_actor_2", "text"],
    ["gazetteer_id", "text"], ["notes", "text"]];
  // one colour class per evidenced field (the rest share the last)
  var EVIDENCE_FIELDS = ["event_date", "event_type", "sub_event_type", "actor1", "actor2", "assoc_actor_1",
    "assoc_actor_2", "location", "fatalities", "civilian_targeting"];

  var state = { events: [], total: 0, page: 0, selected: null, order: DEFAULT_ORDER, map: null, markers: null, tiles: null,
    byId: {}, markerById: {}, requestSeq: 0 };

  // ---------- DOM helpers (text only): static/dom.js ----------
  var el = window.MarsadDom.el, clear = window.MarsadDom.clear, $ = window.MarsadDom.$,
    setStatus = window.MarsadDom.setStatus;
  function safeHref(url) {
    try {
      var u = new URL(url, window.location.href);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) {
      return null;
    }
  }
  function fieldLabel(f) { return FIELD_LABELS[f] || f.replace(/_/g, " "); }
  function fieldClass(f) {
    var i = EVIDENCE_FIELDS.indexOf(f);
    return "ev-c" + (i < 0 ? EVIDENCE_FIELDS.length : i);
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) { throw new Error(r.status + " " + r.statusText + ": " + t.slice(0, 200)); });
      }
      return r.json();
    });
  }
  function actorsText(e) {
    var parts = [e.actor1, e.actor2].filter(Boolean);
    return parts.join(" — ");
  }

  // ---------- filters ----------
  function readFilters() {
    var form = $("#filters");
    var out = {};
    FILTERS.forEach(function (name) {
      var v = (form.elements[name].value || "").trim();
      if (v) out[name] = v;
    });
    return out;
  }
  function writeFilters(values) {
    var form = $("#filters");
    if (values.event_type !== undefined) {
      form.elements.event_type.value = values.event_type || "";
      fillSubTypes();
    }
    FILTERS.forEach(function (name) {
      if (name in values) setSelectOrInput(form.elements[name], values[name] || "");
    });
  }
  function setSelectOrInput(input, value) {
    if (input.tagName === "SELECT" && value && !Array.prototype.some.call(input.options, function (o) { return o.value === value; })) {
      input.appendChild(el("option", { value: value, text: value }));
    }
    input.value = value;
  }
  function fillSelect(select, values) {
    var keep = select.value;
    clear(select);
    select.appendChild(el("option", { value: "", text: "all" }));
    values.forEach(function (v) { select.appendChild(el("option", { value: v, text: v })); });
    if (keep && values.indexOf(keep) >= 0) select.value = keep;
  }
  function fillSubTypes() {
    var form = $("#filters");
    var t = form.elements.event_type.value;
    var subs = t ? TAXONOMY[t] || [] : Object.keys(TAXONOMY).reduce(function (a, k) { return a.concat(TAXONOMY[k]); }, []);
    fillSelect(form.elements.sub_event_type, subs);
  }
  function queryString(filters, extra) {
    var p = new URLSearchParams();
    Object.keys(filters).forEach(function (k) { p.set(k, filters[k]); });
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p.toString();
  }
  function orderFromLocation() {
    var o = new URLSearchParams(window.location.search).get("order") || "";
    return o === "date" || !(o.replace(/^-/, "") in SORTS) ? DEFAULT_ORDER : o;
  }
  /* Column headers that sort (server-side, order=): the first click sorts by the column in its
   * natural direction (dates and tolls: highest first; text A-Z), the next reverses it. */
  function initSorting() {
    Array.prototype.forEach.call(document.querySelectorAll("#events-table th[data-sort]"), function (th) {
      var key = th.dataset.sort;
      var b = el("button", { type: "button", className: "sort", title: "Sort by " + th.textContent.toLowerCase() }, [th.textContent]);
      clear(th);
      th.appendChild(b);
      b.addEventListener("click", function () {
        var current = state.order.replace(/^-/, "");
        state.order = current === key ? (state.order.charAt(0) === "-" ? key : "-" + key) : SORTS[key] + key;
        load();
      });
    });
  }
  function markSorting() {
    Array.prototype.forEach.call(document.querySelectorAll("#events-table th[data-sort]"), function (th) {
      var on = state.order.replace(/^-/, "") === th.dataset.sort;
      if (on) th.setAttribute("aria-sort", state.order.charAt(0) === "-" ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }
  function filtersFromLocation() {
    var p = new URLSearchParams(window.location.search);
    var out = {};
    FILTERS.forEach(function (k) { if (p.get(k)) out[k] = p.get(k); });
    return out;
  }

  // ---------- map ----------
  function initMap() {
    var map = L.map("map", { preferCanvas: false, zoomSnap: 0.5, minZoom: 5, maxZoom: 16, attributionControl: true });
    map.attributionControl.setPrefix("Leaflet");
    map.fitBounds(SYRIA);
    map.on("zoomend", function () { map.getContainer().dataset.zoom = String(map.getZoom()); });
    // panes, bottom up: online tiles (200), governorates (250), place labels (350, no clicks), events (400+)
    map.createPane("base").style.zIndex = "250";
    var labelPane = map.createPane("labels");
    labelPane.style.zIndex = "350";
    labelPane.style.pointerEvents = "none";
    var selectionPane = map.createPane("selection"); // the ring around the event shown, over everything
    selectionPane.style.zIndex = "650";
    selectionPane.style.pointerEvents = "none";
    map.getContainer().dataset.zoom = String(map.getZoom());
    state.map = map;
    // Places with events, clustered (Leaflet.markercluster): a cluster shows how many events its
    // places hold and opens on click; at the closest zoom the places of a cluster spread out.
    state.markers = L.markerClusterGroup({
      maxClusterRadius: 45, showCoverageOnHover: false, spiderfyOnMaxZoom: true, chunkedLoading: true,
      iconCreateFunction: clusterIcon
    }).addTo(map);
    getJSON(BOUNDARIES_URL).then(function (fc) {
      var names = [];
      var layer = L.geoJSON(fc, {
        pane: "base",
        style: governorateStyle,
        onEachFeature: function (feature, lyr) {
          var p = feature.properties || {};
          if (p.admin1) names.push(p.admin1);
          var tip = el("span", {}, [el("span", { text: p.admin1 || p.NAME_EN || "" }), " ",
            el("span", { lang: "ar", dir: "rtl", text: p.NAME_ARA || "" })]);
          lyr.bindTooltip(tip, { sticky: true });
          lyr.on("add", function () { var node = lyr.getElement(); if (node) node.dataset.admin1 = p.admin1 || ""; });
          lyr.on("click", function () {
            var chosen = sameName(p.admin1, $("#filters").elements.admin1.value);
            writeFilters({ admin1: chosen ? "" : p.admin1 || "" }); // the chosen one again: all governorates
            load();
          });
        }
      }).addTo(map);
      layer.bringToBack();
      state.boundaries = layer;
      addPlaceLabels(map);
      fitView(); // a governorate filter in the address waited for its shape
      map.attributionControl.addAttribution("Boundaries: OCHA (admin1)");
      fillSelect($("#filters").elements.admin1, names.sort());
      var wanted = filtersFromLocation().admin1;
      if (wanted) setSelectOrInput($("#filters").elements.admin1, wanted);
    }).catch(function (err) {
      setStatus("Could not load the governorate boundaries: " + err.message, true);
    });
    addLegend(map);
    var toggle = $("#tiles-toggle");
    toggle.checked = false; // offline by default: tiles only when asked for
    toggle.addEventListener("change", function () { setTiles(toggle.checked); });
  }
  /* Labels of the offline base map (scripts/build_place_labels.py: governorates from the shipped
   * boundaries, capitals and district seats from the gazetteer), each shown from its min_zoom on.
   * They sit in their own pane above the governorates and under the events, and take no clicks. */
  function addPlaceLabels(map) {
    var labels = [];
    getJSON(PLACES_URL).then(function (fc) {
      (fc.features || []).forEach(function (f) {
        var p = f.properties || {}, c = (f.geometry || {}).coordinates;
        if (!c) return;
        var node = el("span", { className: "place-label-text", text: p.name || "" });
        var icon = L.divIcon({ html: node, className: "place-label place-" + (p.kind || "town"), iconSize: null });
        var marker = L.marker([c[1], c[0]], { icon: icon, pane: "labels", interactive: false, keyboard: false });
        marker.on("add", function () {
          var box = marker.getElement();
          if (box) { box.dataset.kind = p.kind || ""; box.dataset.name = p.name || ""; box.setAttribute("aria-hidden", "true"); }
        });
        labels.push({ marker: marker, minZoom: Number(p.min_zoom) || 0 });
      });
      var show = function () {
        var z = map.getZoom();
        labels.forEach(function (l) {
          var on = z >= l.minZoom;
          if (on && !map.hasLayer(l.marker)) l.marker.addTo(map);
          else if (!on && map.hasLayer(l.marker)) map.removeLayer(l.marker);
        });
      };
      map.on("zoomend", show);
      show();
    }).catch(function (err) {
      setStatus("Could not load the place labels: " + err.message, true);
    });
  }

  /* The legend of the marker colours: one row per event type (a button: it filters that type). */
  function addLegend(map) {
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var box = el("div", { className: "map-legend", role: "group", "aria-label": "Marker colours by event type" });
      box.appendChild(el("div", { className: "map-legend-title", text: "Event type" }));
      Object.keys(TYPE_COLOURS).forEach(function (type) {
        var swatch = el("span", { className: "map-legend-swatch", "aria-hidden": "true" });
        swatch.style.backgroundColor = TYPE_COLOURS[type]; // CSSOM, which the CSP allows (no style attribute)
        var b = el("button", { type: "button", className: "map-legend-item", title: "Show only " + type,
          "aria-pressed": "false", dataset: { eventType: type } }, [swatch, type]);
        b.addEventListener("click", function () {
          var current = $("#filters").elements.event_type.value;
          writeFilters({ event_type: current === type ? "" : type, sub_event_type: "" });
          load();
        });
        box.appendChild(b);
      });
      box.appendChild(el("div", { className: "map-legend-note" }, [el("span", { className: "map-legend-cluster", "aria-hidden": "true", text: "n" }),
        "n events close together: click to zoom in"]));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    legend.addTo(map);
    state.legend = legend;
  }
  function markLegend() {
    var current = $("#filters").elements.event_type.value;
    Array.prototype.forEach.call(document.querySelectorAll(".map-legend-item"), function (b) {
      b.setAttribute("aria-pressed", b.dataset.eventType === current ? "true" : "false");
    });
  }
  function setTiles(on) {
    if (on && !state.tiles) {
      state.tiles = L.tileLayer(TILES_URL, {
        maxZoom: 19,
        attribution: "© OpenStreetMap contributors"
      });
      state.tiles.addTo(state.map);
      state.tiles.bringToBack();
      markGovernorates();
    } else if (!on && state.tiles) {
      state.map.removeLayer(state.tiles);
      state.tiles = null;
      markGovernorates();
    }
  }
  /* The governorate filtered on stands out; with online tiles the shapes are almost clear. */
  function governorateStyle(feature) {
    var chosen = sameName(((feature || {}).properties || {}).admin1, $("#filters").elements.admin1.value);
    return { color: chosen ? "#26313b" : "#555", weight: chosen ? 2.5 : 1, fillColor: chosen ? "#fff7dc" : "#f3efe6",
      fillOpacity: state.tiles ? (chosen ? 0.15 : 0.05) : 0.6, className: "governorate" };
  }
  function markGovernorates() {
    if (!state.boundaries) return;
    state.boundaries.setStyle(governorateStyle);
    var admin1 = $("#filters").elements.admin1.value;
    state.boundaries.eachLayer(function (l) {
      var node = l.getElement && l.getElement();
      if (node) node.classList.toggle("chosen", sameName((l.feature.properties || {}).admin1, admin1));
    });
  }
  function sameName(a, b) { return !!a && !!b && String(a).toLowerCase() === String(b).toLowerCase(); }
  /* After the events of new filters arrive: the map shows the governorate filtered on, else all
   * the located events (else Syria). Only when the filters change, not on a new sort order, so a
   * zoom of the reader's own is kept. */
  function fitView() {
    var map = state.map;
    if (!map || !state.loaded) return;
    var filters = readFilters();
    var key = JSON.stringify(filters);
    if (key === state.fitKey) return;
    var bounds = null;
    if (filters.admin1) {
      if (!state.boundaries) return; // called again once the shapes are in
      state.boundaries.eachLayer(function (l) {
        if (sameName((l.feature.properties || {}).admin1, filters.admin1)) bounds = l.getBounds();
      });
    }
    if (!bounds) {
      var points = state.events.filter(hasPoint).map(function (e) { return [e.latitude, e.longitude]; });
      if (points.length) bounds = L.latLngBounds(points);
    }
    state.fitKey = key;
    markGovernorates();
    map.fitBounds(bounds || SYRIA, { padding: [24, 24], maxZoom: 9 }); // one place: its surroundings too
  }
  function hasPoint(e) {
    return e.latitude !== null && e.latitude !== undefined && e.longitude !== null && e.longitude !== undefined;
  }
  /* A ring around the event shown in the event view (its marker may be inside a cluster). */
  function highlightEvent(e) {
    if (state.ring) { state.map.removeLayer(state.ring); state.ring = null; }
    if (!e || !hasPoint(e)) return;
    var at = L.latLng(e.latitude, e.longitude);
    state.ring = L.circleMarker(at, { radius: 15, color: "#f1c40f", weight: 4, opacity: 1, fill: false, interactive: false,
      pane: "selection", className: "marsad-selected" }).addTo(state.map);
    var node = state.ring.getElement();
    if (node) node.dataset.eventId = e.event_id_cnty;
    if (!state.map.getBounds().contains(at)) state.map.panTo(at);
  }

  /* A cluster's icon: the number of events of its places (DOM nodes, no HTML string). */
  function clusterIcon(cluster) {
    var n = 0;
    cluster.getAllChildMarkers().forEach(function (m) { n += m.options.count || 1; });
    var size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
    var label = n + " events at " + cluster.getChildCount() + " places; click to zoom in";
    var inner = el("div", { className: "marsad-cluster-count", title: label, "aria-label": label, dataset: { count: n } },
      [el("span", { text: String(n) })]);
    return L.divIcon({ html: inner, className: "marker-cluster marsad-cluster " + (n < 10 ? "marker-cluster-small" : n < 100 ?
      "marker-cluster-medium" : "marker-cluster-large"), iconSize: L.point(size, size) });
  }
  function dateText(e) { return e.event_date || "undated"; }
  function drawMarkers() {
    state.markers.clearLayers();
    state.markerById = {};
    var groups = {};
    state.events.forEach(function (e) {
      if (e.latitude === null || e.longitude === null || e.latitude === undefined || e.longitude === undefined) return;
      var key = Number(e.latitude).toFixed(4) + "," + Number(e.longitude).toFixed(4);
      (groups[key] = groups[key] || []).push(e);
    });
    var markers = [];
    Object.keys(groups).forEach(function (key) {
      var evs = groups[key];
      var first = evs[0];
      var marker = L.circleMarker([first.latitude, first.longitude], {
        radius: Math.min(6 + 2 * Math.sqrt(evs.length - 1), 18),
        color: "#fff", weight: 1.5, fillColor: TYPE_COLOURS[first.event_type] || "#333", fillOpacity: 0.9,
        className: "marsad-marker", count: evs.length
      });
      var tip = el("div", {}, [el("strong", { text: first.location || "" }),
        el("div", { text: evs.length === 1 ? (dateText(first) + " · " + (first.sub_event_type || "")) : (evs.length + " events") })]);
      marker.bindTooltip(tip);
      marker.on("click", function () {
        if (evs.length > 1) {
          var list = el("ul", { className: "popup-list" });
          evs.forEach(function (e) {
            var b = el("button", { type: "button", text: dateText(e) + " · " + (e.sub_event_type || "") + " · " + actorsText(e) });
            b.addEventListener("click", function () { showEvent(e.event_id_cnty); });
            list.appendChild(el("li", {}, [b]));
          });
          marker.unbindPopup();
          marker.bindPopup(el("div", {}, [el("strong", { text: (first.location || "") + ": " + evs.length + " events" }), list]));
          marker.openPopup();
        }
        showEvent(first.event_id_cnty);
      });
      // a clustered marker has no element until its cluster opens: label it whenever it is drawn
      marker.on("add", function () {
        var node = marker.getElement();
        if (!node) return;
        node.dataset.eventId = first.event_id_cnty;
        node.dataset.count = String(evs.length);
      });
      markers.push(marker);
      evs.forEach(function (e) { state.markerById[e.event_id_cnty] = marker; });
    });
    state.markers.addLayers(markers);
  }

  // ---------- timeline ----------
  function dayNumber(iso) { return Math.floor(Date.parse(iso + "T00:00:00Z") / 86400000); }
  function isoOfDay(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }
  function drawTimeline() {
    var box = $("#timeline");
    clear(box);
    var days = state.events.map(function (e) { return e.event_date ? dayNumber(e.event_date) : NaN; })
      .filter(function (d) { return !isNaN(d); });
    var undated = state.events.length - days.length;
    box.dataset.undated = String(undated);
    var undatedText = undated ? undated + " undated event" + (undated === 1 ? " is" : "s are") + " not on the timeline" : "";
    if (!days.length) {
      box.appendChild(el("p", { className: "hint", text: "No dated events to chart" + (undated ? " (" + undatedText + ")" : "") + "." }));
      return;
    }
    var lo = Math.min.apply(null, days), hi = Math.max.apply(null, days);
    if (hi - lo + 1 < MIN_TIMELINE_DAYS) { // a day or a few: bars of a day in a month's width, centred
      lo -= Math.floor((MIN_TIMELINE_DAYS - (hi - lo + 1)) / 2);
      hi = lo + MIN_TIMELINE_DAYS - 1;
    }
    var span = hi - lo + 1;
    var bin = span > 730 ? 30 : span > 120 ? 7 : 1; // day, week or ~month bins
    var n = Math.floor((hi - lo) / bin) + 1;
    var counts = new Array(n).fill(0);
    days.forEach(function (d) { counts[Math.floor((d - lo) / bin)] += 1; });
    var max = Math.max.apply(null, counts);
    var W = 1000, H = 90, pad = 16;
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + (H + pad));
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Events per " + (bin === 1 ? "day" : bin === 7 ? "week" : "month"));
    var bw = W / n;
    counts.forEach(function (c, i) {
      var h = max ? Math.max(c ? 2 : 0, (c / max) * H) : 0;
      var from = isoOfDay(lo + i * bin), to = isoOfDay(lo + i * bin + bin - 1);
      var r = document.createElementNS(NS, "rect");
      r.setAttribute("x", String(i * bw + (bw > 3 ? 0.5 : 0)));
      r.setAttribute("width", String(Math.max(bw - (bw > 3 ? 1 : 0), 0.5)));
      r.setAttribute("y", String(H - h));
      r.setAttribute("height", String(h));
      r.setAttribute("class", "bar");
      r.dataset.from = from;
      r.dataset.to = to;
      var t = document.createElementNS(NS, "title");
      t.textContent = (bin === 1 ? from : from + " – " + to) + ": " + c + " event" + (c === 1 ? "" : "s") + " (click to filter)";
      r.appendChild(t);
      r.addEventListener("click", function () {
        writeFilters({ date_from: from, date_to: to });
        load();
      });
      svg.appendChild(r);
    });
    var labels = [[0, isoOfDay(lo), "start"], [W, isoOfDay(hi), "end"]];
    labels.forEach(function (l) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("x", String(l[0]));
      t.setAttribute("y", String(H + pad - 3));
      t.setAttribute("text-anchor", l[2]);
      t.setAttribute("class", "axis");
      t.textContent = l[1];
      svg.appendChild(t);
    });
    box.appendChild(svg);
    box.appendChild(el("p", { className: "caption", text: "Events per " + (bin === 1 ? "day" : bin === 7 ? "week" : "30 days") +
      (state.total > state.events.length ? " (the " + state.events.length + " shown of " + state.total + ")" : "") +
      (undated ? "; " + undatedText : "") + ". Click a bar to filter its dates." }));
  }

  // ---------- table ----------
  function drawTable() {
    var tbody = $("#events-table tbody");
    clear(tbody);
    var start = state.page * PAGE;
    var rows = state.events.slice(start, start + PAGE);
    rows.forEach(function (e) {
      var tr = el("tr", { tabindex: "0", dataset: { eventId: e.event_id_cnty } }, [
        el("td", { className: "date", text: e.event_date || "undated" }),
        el("td", { text: e.event_type || "" }),
        el("td", { text: e.sub_event_type || "" }),
        el("td", { text: actorsText(e) }),
        el("td", { text: [e.location, e.admin1].filter(Boolean).join(", ") }),
        el("td", { className: "num", text: e.fatalities === null || e.fatalities === undefined ? "" : String(e.fatalities) }),
        el("td", { text: e.source || "" })
      ]);
      if (state.selected === e.event_id_cnty) tr.classList.add("selected");
      tr.addEventListener("click", function () { showEvent(e.event_id_cnty); });
      tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter") showEvent(e.event_id_cnty); });
      tbody.appendChild(tr);
    });
    var pager = $("#pager");
    clear(pager);
    var pages = Math.ceil(state.events.length / PAGE);
    if (pages > 1) {
      var prev = el("button", { type: "button", text: "‹ previous" });
      prev.disabled = state.page === 0;
      prev.addEventListener("click", function () { state.page -= 1; drawTable(); });
      var next = el("button", { type: "button", text: "next ›" });
      next.disabled = state.page >= pages - 1;
      next.addEventListener("click", function () { state.page += 1; drawTable(); });
      pager.appendChild(prev);
      pager.appendChild(el("span", { text: " page " + (state.page + 1) + " of " + pages + " " }));
      pager.appendChild(next);
    }
  }

  // ---------- the filters in force ----------
  /* Under the status line, one button per filter in force ("governorate: Idleb ×"): whatever set
   * it (the form, a facet, the map, the timeline), it is visible and a click removes it. */
  function showFilters(filters) {
    var box = $("#active-filters");
    if (!box) {
      box = el("p", { id: "active-filters", "aria-label": "Filters in force" });
      $("#status").parentNode.insertBefore(box, $("#status").nextSibling);
    }
    clear(box);
    FILTERS.forEach(function (name) {
      if (!filters[name]) return;
      var b = el("button", { type: "button", className: "active-filter", title: "Remove this filter", dataset: { filter: name } },
        [FILTER_LABELS[name] + ": ", el("span", { dir: "auto", text: filters[name] }), " ×"]);
      b.addEventListener("click", function () {
        var change = {};
        change[name] = "";
        if (name === "event_type") change.sub_event_type = "";
        writeFilters(change);
        load();
      });
      box.appendChild(b);
    });
  }

  // ---------- downloads ----------
  /* "Download this view": the CSV and GeoJSON exports with exactly the filters of the page. */
  function initDownloads() {
    var box = el("p", { id: "downloads" }, ["Download this view: "]);
    box.appendChild(el("a", { id: "download-csv", href: "/api/events.csv", download: "marsad_events.csv", text: "CSV" }));
    box.appendChild(document.createTextNode(" · "));
    box.appendChild(el("a", { id: "download-geojson", href: "/api/events.geojson", download: "marsad_events.geojson", text: "GeoJSON" }));
    box.appendChild(el("span", { className: "hint", text: " (every matching event, ACLED columns first)" }));
    var table = $("#events-table");
    table.parentNode.insertBefore(box, table);
  }
  function setDownloads(filters) {
    var qs = queryString(filters);
    $("#download-csv").setAttribute("href", "/api/events.csv" + (qs ? "?" + qs : ""));
    $("#download-geojson").setAttribute("href", "/api/events.geojson" + (qs ? "?" + qs : ""));
  }

  // ---------- facets ----------
  /* One box per facet: its values with the number of matching events, most frequent first; a
   * click sets (or, on the value already chosen, clears) that filter. Values are text only. */
  function loadFacets(filters, seq) {
    var box = $("#facets");
    box.dataset.loaded = "0";
    return getJSON("/api/facets?" + queryString(filters, { size: FACET_SIZE })).then(function (data) {
      if (seq !== state.requestSeq) return;
      drawFacets(box, data, filters);
      box.dataset.loaded = "1";
    }).catch(function (err) {
      if (seq !== state.requestSeq) return;
      clear(box);
      box.appendChild(el("p", { className: "error", text: "Could not count the events by facet: " + err.message }));
    });
  }
  function drawFacets(box, data, filters) {
    clear(box);
    FACETS.forEach(function (pair) {
      var name = pair[0], facet = (data.facets || {})[name];
      if (!facet) return;
      var list = el("ul", { className: "facet-values" });
      facet.values.forEach(function (v) {
        var value = String(v.value);
        var chosen = (filters[name] || "").toLowerCase() === value.toLowerCase();
        var b = el("button", { type: "button", className: "facet-value", "aria-pressed": chosen ? "true" : "false",
          title: value + ": " + v.count + " event" + (v.count === 1 ? "" : "s") + (chosen ? " (click to clear this filter)" : " (click to show only these)"),
          dataset: { facet: name, value: value } },
          [el("span", { className: "facet-label", dir: "auto", text: value }), el("span", { className: "facet-count", text: String(v.count) })]);
        b.addEventListener("click", function () {
          var change = {};
          change[name] = chosen ? "" : value;
          if (name === "event_type") change.sub_event_type = "";
          writeFilters(change);
          load();
        });
        list.appendChild(el("li", {}, [b]));
      });
      if (!facet.values.length) list.appendChild(el("li", { className: "hint", text: "none" }));
      var section = el("section", { className: "facet", dataset: { facet: name } },
        [el("h2", { text: pair[1] }), list]);
      if (facet.truncated) section.appendChild(el("p", { className: "hint", text: "the " + facet.values.length + " most frequent" }));
      box.appendChild(section);
    });
  }

  // ---------- loading ----------
  function load() {
    var filters = readFilters();
    var seq = ++state.requestSeq;
    var sorted = state.order !== DEFAULT_ORDER;
    var qs = queryString(filters, sorted ? { order: state.order } : {});
    window.history.replaceState(null, "", qs ? "?" + qs : window.location.pathname);
    setStatus("Loading…");
    document.body.dataset.loading = "1";
    markSorting();
    setDownloads(filters);
    showFilters(filters);
    loadFacets(filters, seq);
    return getJSON("/api/events?" + queryString(filters, { limit: MAX_EVENTS, offset: 0, order: state.order })).then(function (data) {
      if (seq !== state.requestSeq) return;
      state.events = data.events || [];
      state.total = data.total || 0;
      state.page = 0;
      state.byId = {};
      state.events.forEach(function (e) { state.byId[e.event_id_cnty] = e; });
      drawMarkers();
      markLegend();
      drawTimeline();
      drawTable();
      state.loaded = true;
      fitView();
      if (state.selected && !state.byId[state.selected] && state.selectedKey !== JSON.stringify(filters)) {
        clearEvent("The event shown before is not among the events of these filters.");
      }
      var located = state.events.filter(function (e) { return e.latitude !== null && e.latitude !== undefined; }).length;
      setStatus(state.total + (state.total === 1 ? " event matches" : " events match") +
        (state.total > state.events.length ? "; the " + (sorted ? "first " + state.events.length + " in this order" :
          "newest " + state.events.length) + " are shown" : "") +
        (located < state.events.length ? "; " + (state.events.length - located) + " without coordinates are only in the table" : "") + ".");
      document.body.dataset.loading = "0";
      document.body.dataset.ready = "1";
    }).catch(function (err) {
      if (seq !== state.requestSeq) return;
      setStatus("Could not load events: " + err.message, true);
      document.body.dataset.loading = "0";
    });
  }

  // ---------- event view ----------
  function clearEvent(why) {
    state.selected = null;
    highlightEvent(null);
    var view = $("#event-view");
    clear(view);
    delete view.dataset.eventId;
    view.dataset.loaded = "0";
    if (why) view.appendChild(el("p", { className: "hint", text: why }));
    view.appendChild(el("p", { className: "hint", text: "Click a marker or a row of the table to see the event, its sources and the words behind each coded field." }));
  }
  function showEvent(id) {
    state.selected = id;
    state.selectedKey = JSON.stringify(readFilters());
    Array.prototype.forEach.call(document.querySelectorAll("#events-table tbody tr"), function (tr) {
      tr.classList.toggle("selected", tr.dataset.eventId === id);
    });
    var view = $("#event-view");
    clear(view);
    view.appendChild(el("p", { className: "hint", text: "Loading event " + id + "…" }));
    view.dataset.eventId = id;
    view.dataset.loaded = "0";
    if (state.map) highlightEvent(state.byId[id]);
    getJSON("/api/events/" + encodeURIComponent(id)).then(function (detail) {
      if (state.selected === id && !state.byId[id]) highlightEvent(detail); // an event named in the address
      var docs = detail.documents || [];
      return Promise.all(docs.map(function (d) {
        return getJSON("/api/documents/" + encodeURIComponent(d.doc_id)).catch(function (err) {
          return { doc_id: d.doc_id, error: err.message };
        });
      })).then(function (texts) {
        if (state.selected !== id) return;
        renderEvent(view, detail, texts);
        view.dataset.loaded = "1";
      });
    }).catch(function (err) {
      if (state.selected !== id) return;
      clear(view);
      view.appendChild(el("p", { className: "error", text: "Could not load event " + id + ": " + err.message }));
    });
  }

  function renderEvent(view, detail, texts) {
    clear(view);
    var evidence = detail.evidence || {};
    var evidenced = Object.keys(evidence);
    view.appendChild(el("h2", { text: (detail.event_date || "undated") + " · " + (detail.sub_event_type || detail.event_type || "") }));
    view.appendChild(reviewBox(detail));
    var dl = el("dl", { className: "fields" });
    FIELD_ORDER.forEach(function (f) {
      var v = detail[f];
      if (v === null || v === undefined || v === "") return;
      var dt = el("dt", {}, [fieldLabel(f)]);
      if (evidence[f] && evidence[f].length) {
        dt.appendChild(el("span", { className: "swatch " + fieldClass(f), title: "highlighted in the source text" }));
        dt.dataset.field = f;
        dt.classList.add("has-evidence");
        dt.title = "click to pick out its evidence";
        dt.addEventListener("click", function () { focusField(view, f); });
      }
      dl.appendChild(dt);
      dl.appendChild(el("dd", { className: f === "notes" ? "notes" : null, text: String(v) }));
    });
    view.appendChild(dl);

    if (evidenced.length) {
      var legend = el("p", { className: "legend" }, ["Evidence: "]);
      evidenced.forEach(function (f) {
        var b = el("button", { type: "button", className: "legend-item " + fieldClass(f), text: fieldLabel(f), dataset: { field: f } });
        b.addEventListener("click", function () { focusField(view, f); });
        legend.appendChild(b);
      });
      view.appendChild(legend);
    }

    texts.forEach(function (doc) {
      var meta = (detail.documents || []).filter(function (d) { return d.doc_id === doc.doc_id; })[0] || {};
      var section = el("section", { className: "document", dataset: { docId: doc.doc_id } });
      var head = el("h3", {}, [[meta.source || doc.source || "Unknown outlet", meta.published || doc.published].filter(Boolean).join(" · ")]);
      section.appendChild(head);
      var title = doc.title || meta.title;
      if (title) section.appendChild(el("p", { className: "doc-title", dir: "auto", text: title }));
      var href = safeHref(doc.url || meta.url || "");
      if (href) {
        section.appendChild(el("p", { className: "doc-url" }, [el("a", { href: href, rel: "noopener noreferrer nofollow", target: "_blank", text: href })]));
      } else if (doc.url || meta.url) {
        section.appendChild(el("p", { className: "doc-url", text: String(doc.url || meta.url) }));
      }
      if (doc.error) {
        section.appendChild(el("p", { className: "error", text: "Could not load the document: " + doc.error }));
      } else {
        var spans = [];
        evidenced.forEach(function (f) {
          evidence[f].forEach(function (s) { if (s.doc_id === doc.doc_id) spans.push({ field: f, start: s.start, end: s.end, text: s.text }); });
        });
        section.appendChild(highlightedText(String(doc.text || ""), spans));
      }
      view.appendChild(section);
    });

    var merges = detail.merges || [];
    if (merges.length) {
      var ul = el("ul", { className: "merges" });
      merges.forEach(function (m) {
        var reasons = m.reasons || {};
        var why = Array.isArray(reasons) ? reasons.join("; ") : Object.keys(reasons).map(function (k) {
          var v = reasons[k];
          return k + ": " + (typeof v === "object" ? JSON.stringify(v) : String(v));
        }).join("; ");
        ul.appendChild(el("li", { text: (m.event_id || "") + " joined " + (m.matched_event_id || "") + (m.score !== undefined && m.score !== null ? " (score " + m.score + ")" : "") + (why ? ": " + why : "") }));
      });
      view.appendChild(el("details", { className: "merges-box" }, [el("summary", { text: "Why these reports are one event (" + merges.length + ")" }), ul]));
    }
  }

  // ---------- review ----------
  function token() {
    var t = window.sessionStorage.getItem(TOKEN_KEY);
    if (!t) {
      t = window.prompt("Write token (MARSAD_TOKEN) to record reviews:") || "";
      if (t) window.sessionStorage.setItem(TOKEN_KEY, t);
    }
    return t;
  }
  function postReview(id, body, box) {
    var t = token();
    if (!t) return;
    var msg = box.querySelector(".review-msg");
    msg.textContent = "Saving…";
    fetch("/api/events/" + encodeURIComponent(id) + "/review", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer " + t },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (r.status === 401) window.sessionStorage.removeItem(TOKEN_KEY);
        if (!r.ok) throw new Error(r.status + ": " + (typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail || data)));
        return data;
      });
    }).then(function (detail) {
      var row = state.byId[id];
      if (row) Object.keys(row).forEach(function (k) { if (k in detail) row[k] = detail[k]; });
      drawTable();
      showEvent(id);
    }).catch(function (err) {
      msg.textContent = "Not saved: " + err.message;
      msg.classList.add("error");
    });
  }
  function reviewBox(detail) {
    var id = detail.event_id_cnty;
    var status = detail.review_status || "machine";
    var review = detail.review || {};
    var box = el("section", { className: "review", "aria-label": "Review", dataset: { status: status } });
    box.appendChild(el("p", {}, [el("span", { className: "badge status-" + status, text: status }),
      review.reviewer ? " by " + review.reviewer : "", review.reviewed_at ? " · " + review.reviewed_at.slice(0, 16) : ""]));
    if (review.conflict) {
      box.appendChild(el("p", { className: "conflict", text: "Conflict: the machine now says " + Object.keys(review.conflict).map(function (f) {
        return fieldLabel(f) + " = " + String(review.conflict[f].now) + " (the reviewer saw " + String(review.conflict[f].seen) + ")";
      }).join("; ") + ". The reviewed values are kept." }));
    }
    var reason = el("input", { type: "text", name: "reason", placeholder: "reason (needed to reject)", "aria-label": "reason" });
    var confirmB = el("button", { type: "button", className: "confirm", accesskey: "c", text: "Confirm" });
    var rejectB = el("button", { type: "button", className: "reject", accesskey: "r", text: "Reject" });
    var editB = el("button", { type: "button", className: "edit", accesskey: "e", text: "Correct…", "aria-expanded": "false" });
    confirmB.addEventListener("click", function () { postReview(id, { status: "confirmed", reason: reason.value || null }, box); });
    rejectB.addEventListener("click", function () {
      if (!reason.value.trim()) { reason.focus(); box.querySelector(".review-msg").textContent = "Give a reason to reject."; return; }
      postReview(id, { status: "rejected", reason: reason.value }, box);
    });
    box.appendChild(el("div", { className: "review-actions" }, [confirmB, rejectB, editB, reason]));
    var form = el("form", { className: "review-form", hidden: "hidden" });
    EDIT_FIELDS.forEach(function (pair) {
      var f = pair[0], input;
      if (pair[1] === "select") {
        input = el("select", { name: f });
        Object.keys(TAXONOMY).forEach(function (t) {
          var group = el("optgroup", { label: t });
          TAXONOMY[t].forEach(function (sub) { group.appendChild(el("option", { value: sub, text: sub })); });
          input.appendChild(group);
        });
      } else {
        input = el("input", { type: pair[1], name: f, min: pair[1] === "number" ? "0" : null,
          placeholder: f === "gazetteer_id" ? "gazetteer id, e.g. C1001" : null });
      }
      input.value = detail[f] === null || detail[f] === undefined ? "" : String(detail[f]);
      input.dataset.was = input.value;
      form.appendChild(el("label", {}, [fieldLabel(f).replace("gazetteer id", "place (gazetteer id)"), input]));
    });
    form.appendChild(el("button", { type: "submit", text: "Save correction" }));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var changes = {};
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name && input.value !== input.dataset.was) changes[input.name] = input.value;
      });
      if (!Object.keys(changes).length) { box.querySelector(".review-msg").textContent = "Nothing changed."; return; }
      postReview(id, { status: "corrected", changes: changes, reason: reason.value || null }, box);
    });
    editB.addEventListener("click", function () {
      var open = form.hasAttribute("hidden");
      if (open) form.removeAttribute("hidden"); else form.setAttribute("hidden", "hidden");
      editB.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) form.elements[0].focus();
    });
    box.appendChild(form);
    box.appendChild(el("p", { className: "review-msg", role: "status" }));
    var history = detail.history || [];
    if (history.length) {
      var ul = el("ul", { className: "history" });
      history.forEach(function (h) {
        ul.appendChild(el("li", { text: (h.at || "").slice(0, 16) + " · " + (h.reviewer || "-") + " · " + h.action +
          (h.field ? " " + fieldLabel(h.field) + ": " + String(h.old) + " → " + String(h.new) : "") + (h.reason ? " (" + h.reason + ")" : "") }));
      });
      box.appendChild(el("details", { className: "history-box", open: "open" }, [el("summary", { text: "History (" + history.length + ")" }), ul]));
    }
    return box;
  }

  function focusField(view, field) {
    var marks = view.querySelectorAll("mark.evidence");
    var first = null;
    Array.prototype.forEach.call(marks, function (m) {
      var on = (m.dataset.fields || "").split(" ").indexOf(field) >= 0;
      m.classList.toggle("focus", on);
      if (on && !first) first = m;
    });
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  /* The document text, right-to-left, with a <mark> over each evidence span (data-fields: the
   * fields it backs; data-start/data-end: the span's offsets). Offsets are Python's (code points),
   * so the text is split into code points. Fields with the very same span share one mark; a span
   * inside another is a mark inside the other's; a span that straddles another's end is cut there
   * (its pieces carry the same data-start/data-end). */
  function highlightedText(text, spans) {
    var cps = Array.from(text);
    var n = cps.length;
    var byRange = {};
    spans.forEach(function (s) {
      var start = s.start, end = s.end;
      var ok = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= n && start < end;
      if (ok && s.text && cps.slice(start, end).join("") !== s.text) ok = false;
      if (!ok && s.text) { // offsets off: fall back to the first occurrence of the evidence text
        var at = text.indexOf(s.text);
        if (at >= 0) {
          start = Array.from(text.slice(0, at)).length;
          end = start + Array.from(s.text).length;
          ok = true;
        }
      }
      if (!ok) return;
      var key = start + ":" + end;
      var r = byRange[key] || (byRange[key] = { start: start, end: end, origStart: start, origEnd: end, fields: [] });
      if (r.fields.indexOf(s.field) < 0) r.fields.push(s.field);
    });
    var ranges = Object.keys(byRange).map(function (k) { return byRange[k]; });
    var box = el("div", { className: "source-text", dir: "rtl", lang: "ar" });
    fill(box, 0, n, ranges);
    return box;

    function order(list) {
      return list.sort(function (x, y) { return x.start - y.start || y.end - x.end; });
    }
    function fill(parent, from, to, list) {
      list = order(list.slice());
      var pos = from;
      while (list.length) {
        var r = list.shift();
        if (r.start > pos) parent.appendChild(document.createTextNode(cps.slice(pos, r.start).join("")));
        var inner = [], rest = [];
        list.forEach(function (o) {
          if (o.start >= r.end) rest.push(o);
          else if (o.end <= r.end) inner.push(o);
          else { // straddles r's end: cut it
            inner.push({ start: o.start, end: r.end, origStart: o.origStart, origEnd: o.origEnd, fields: o.fields });
            rest.push({ start: r.end, end: o.end, origStart: o.origStart, origEnd: o.origEnd, fields: o.fields });
          }
        });
        var labels = r.fields.map(fieldLabel).join(", ");
        var colour = r.fields.filter(function (f) { return f !== "notes"; })[0];
        var mark = el("mark", {
          className: "evidence " + (colour ? fieldClass(colour) : "ev-notes"), title: labels,
          dataset: { fields: r.fields.join(" "), label: labels, start: r.origStart, end: r.origEnd }
        });
        fill(mark, r.start, r.end, inner);
        parent.appendChild(mark);
        pos = r.end;
        list = order(rest);
      }
      if (pos < to) parent.appendChild(document.createTextNode(cps.slice(pos, to).join("")));
    }
  }

  // ---------- start ----------
  function start() {
    var form = $("#filters");
    fillSelect(form.elements.event_type, Object.keys(TAXONOMY));
    fillSubTypes();
    form.elements.event_type.addEventListener("change", fillSubTypes);
    writeFilters(filtersFromLocation());
    state.order = orderFromLocation();
    initSorting();
    initDownloads();
    form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
    $("#reset").addEventListener("click", function () {
      state.order = DEFAULT_ORDER;
      FILTERS.forEach(function (k) { form.elements[k].value = ""; });
      fillSubTypes();
      load();
    });
    initMap();
    var linked = /^#event=(.+)$/.exec(window.location.hash); // /#event=<id> opens that event (compare page links)
    load();
    if (linked) { try { showEvent(decodeURIComponent(linked[1])); } catch (e) { /* malformed address */ } }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
