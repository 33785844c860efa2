/* Pick a proposal's place on a map: a click fills the latitude and longitude fields, and typing
   in those fields moves the marker. Without JavaScript the fields are typed by hand. */
(function () {
  "use strict";
  var element = document.getElementById("place-picker");
  if (!element || typeof L === "undefined") {
    return;
  }
  var latInput = document.getElementById(element.dataset.latInput);
  var lngInput = document.getElementById(element.dataset.lngInput);
  if (!latInput || !lngInput) {
    return;
  }
  element.classList.add("is-active");
  var INCHEON = [37.4563, 126.7052];
  var map = L.map(element).setView(INCHEON, 11);
  L.tileLayer(element.dataset.tileUrl, {
    maxZoom: 19,
    attribution: "&copy; OpenStreetMap contributors",
  }).addTo(map);
  var marker = null;

  function current() {
    var lat = parseFloat(latInput.value);
    var lng = parseFloat(lngInput.value);
    if (isNaN(lat) || isNaN(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      return null;
    }
    return [lat, lng];
  }

  function place(point, pan) {
    if (marker) {
      marker.setLatLng(point);
    } else {
      marker = L.marker(point, { draggable: true }).addTo(map);
      marker.on("dragend", function () {
        fill(marker.getLatLng());
      });
    }
    if (pan) {
      map.setView(point, Math.max(map.getZoom(), 15));
    }
  }

  function fill(latlng) {
    latInput.value = latlng.lat.toFixed(6);
    lngInput.value = latlng.lng.toFixed(6);
  }

  map.on("click", function (event) {
    fill(event.latlng);
    place(event.latlng, false);
  });
  [latInput, lngInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = current();
      if (point) {
        place(point, true);
      }
    });
  });
  var start = current();
  if (start) {
    place(start, true);
  }
})();

/* Similar proposals: when the title changes, show the cycle's proposals with similar titles so
   the resident can join one instead of duplicating it. Without JavaScript the same list is shown
   before submitting. */
(function () {
  "use strict";
  var box = document.getElementById("similar-proposals");
  var title = document.getElementById("id_title");
  if (!box || !title || !window.fetch) {
    return;
  }
  var timer = null;
  var last = title.value;
  function refresh() {
    var value = title.value.trim();
    if (value === last) {
      return;
    }
    last = value;
    var url = box.dataset.url + "?title=" + encodeURIComponent(value);
    if (box.dataset.exclude) {
      url += "&exclude=" + encodeURIComponent(box.dataset.exclude);
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        box.innerHTML = html; // our own server-rendered, escaped fragment
        // The resident has now seen the similar proposals: the server need not stop to show them.
        var checked = document.getElementById("id_similar_checked");
        if (checked && box.querySelector("a")) {
          checked.value = "True";
        }
      })
      .catch(function () {});
  }
  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 500);
  });
  title.addEventListener("change", refresh);
})();
