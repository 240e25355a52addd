// Measures the diagram as Chromium lays it out and writes a JSON report into #result:
// node boxes that overlap, labels (every <text>) that overlap each other or a box they do
// not belong to, labels that leave their node's box, and group boxes that cross (neither
// nested nor apart).
(() => {
  const svg = document.querySelector("svg");
  const rect = (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  };
  // Half a pixel of tolerance: touching edges are not overlaps.
  const overlap = (a, b) =>
    a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
  const inside = (a, b) =>
    a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.w <= b.x + b.w + 0.5 && a.y + a.h <= b.y + b.h + 0.5;
  const name = (el) => {
    const node = el.closest(".node");
    return node ? node.querySelector(".node-label").textContent : "?";
  };
  const boxes = [...svg.querySelectorAll(".node-box")].map((el) => ({
    el, r: rect(el), node: el.closest(".node"), name: name(el),
  }));
  const labels = [...svg.querySelectorAll("text")].map((el) => ({
    el, r: rect(el), node: el.closest(".node"), text: el.textContent,
  }));
  const groups = [...svg.querySelectorAll("rect.group")].map((el) => ({
    r: rect(el), name: el.getAttribute("data-label"),
  }));
  const problems = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlap(boxes[i].r, boxes[j].r))
        problems.push(`box ${boxes[i].name} overlaps box ${boxes[j].name}`);
  for (let i = 0; i < labels.length; i++) {
    const a = labels[i];
    for (let j = i + 1; j < labels.length; j++)
      if (overlap(a.r, labels[j].r))
        problems.push(`label "${a.text}" overlaps label "${labels[j].text}"`);
    for (const b of boxes)
      if (b.node !== a.node && overlap(a.r, b.r))
        problems.push(`label "${a.text}" overlaps box ${b.name}`);
    if (a.node) {
      const own = boxes.find((b) => b.node === a.node);
      if (own && !inside(a.r, own.r)) problems.push(`label "${a.text}" leaves its box ${own.name}`);
    }
  }
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++) {
      const [a, b] = [groups[i], groups[j]];
      if (overlap(a.r, b.r) && !inside(a.r, b.r) && !inside(b.r, a.r))
        problems.push(`groups "${a.name}" and "${b.name}" cross`);
    }
  document.getElementById("result").textContent = JSON.stringify({
    boxes: boxes.length, labels: labels.length, problems,
  });
})();
