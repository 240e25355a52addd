// The items page: lists items a page at a time, adds them, edits and deletes them at the
// version it last read (the API answers 409 when someone else changed the item first).
"use strict";

let api = "";
let nextToken = null;

const $ = (id) => document.getElementById(id);

function say(text, isError) {
  const message = $("message");
  message.textContent = text;
  message.className = isError ? "error" : "";
}

async function call(method, path, body) {
  const response = await fetch(api + path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 204) return null;
  const data = await response.json();
  if (!response.ok) throw new Error(data.message || response.statusText);
  return data;
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function render(items) {
  const body = $("items");
  body.replaceChildren();
  for (const item of items) {
    const row = document.createElement("tr");
    row.dataset.id = item.id;
    cell(row, item.name);
    cell(row, item.description);
    cell(row, String(item.version));
    const actions = cell(row, "");
    actions.appendChild(button("Edit", () => edit(item)));
    actions.appendChild(button("Delete", () => remove(item)));
    body.appendChild(row);
  }
}

async function load(token) {
  const query = token ? "?next_token=" + encodeURIComponent(token) : "";
  try {
    const page = await call("GET", "/items" + query);
    render(page.items);
    nextToken = page.next_token || null;
    $("next").disabled = !nextToken;
  } catch (e) {
    say("Could not load items: " + e.message, true);
  }
}

async function edit(item) {
  const name = prompt("Name", item.name);
  if (name === null) return;
  const description = prompt("Description", item.description) ?? item.description;
  try {
    await call("PUT", "/items/" + encodeURIComponent(item.id), { name, description, version: item.version });
    say("Saved " + name + ".");
  } catch (e) {
    say("Not saved: " + e.message, true);
  }
  await load(null);
}

async function remove(item) {
  try {
    await call("DELETE", "/items/" + encodeURIComponent(item.id) + "?version=" + item.version);
    say("Deleted " + item.name + ".");
  } catch (e) {
    say("Not deleted: " + e.message, true);
  }
  await load(null);
}

async function start() {
  try {
    const config = await (await fetch("config.json", { cache: "no-store" })).json();
    api = (config.apiUrl || "").replace(/\/$/, "");
  } catch (_) {
    api = "";
  }
  $("create").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    try {
      const item = await call("POST", "/items", { name: form.name.value, description: form.description.value });
      say("Added " + item.name + ".");
      form.reset();
    } catch (e) {
      say("Not added: " + e.message, true);
    }
    await load(null);
  });
  $("first").addEventListener("click", () => load(null));
  $("next").addEventListener("click", () => load(nextToken));
  await load(null);
}

start();
