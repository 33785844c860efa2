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
