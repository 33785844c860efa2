/* Proposal maps (Leaflet + markercluster). The page works without this: the list below the map
   and the place text carry the same information. No inline scripts (CSP). */
(function () {
  "use strict";
  if (typeof L === "undefined") {
    return;
  }
  var INCHEON = [37.4563, 126.7052];

  function tiles(map, element) {
    L.tileLayer(element.dataset.tileUrl, {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap contributors",
    }).addTo(map);
  }

  // The map of all proposals with a place (proposal_map.html).
  var listMap = document.getElementById("proposal-map");
  var dataElement = document.getElementById("proposal-markers");
  if (listMap && dataElement) {
    var markers = JSON.parse(dataElement.textContent);
    var map = L.map(listMap).setView(INCHEON, 11);
    tiles(map, listMap);
    var group = typeof L.markerClusterGroup === "function" ? L.markerClusterGroup() : L.featureGroup();
    markers.forEach(function (item) {
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var popup = document.createElement("div");
      popup.appendChild(link);
      var summary = document.createElement("p");
      summary.className = "small mb-0";
      summary.textContent = item.summary + " (" + item.status + ")";
      popup.appendChild(summary);
      L.marker([item.lat, item.lng], { title: item.title, alt: item.title }).bindPopup(popup).addTo(group);
    });
    group.addTo(map);
    if (markers.length) {
      map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 15 });
    }
  }

  // The small map on a proposal page (proposal_detail.html).
  var placeMap = document.getElementById("place-map");
  if (placeMap) {
    var point = [parseFloat(placeMap.dataset.lat), parseFloat(placeMap.dataset.lng)];
    var small = L.map(placeMap, { scrollWheelZoom: false }).setView(point, 15);
    tiles(small, placeMap);
    // A picture of the place, not a control: the caption under the map says where it is.
    L.marker(point, { interactive: false, keyboard: false, alt: placeMap.dataset.title || "" }).addTo(small);
  }
})();
