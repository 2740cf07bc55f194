// Parse iCalendar text with ical.js (Mozilla's parser, used by Thunderbird) and print
// it as JSON: {name, properties: {NAME: [{value, params, type}]}, components: [...]}.
// Usage: node parse_ical.mjs [file]   (reads stdin without a file)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ICAL = require("ical.js");

function valueOf(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "object" && typeof value.toString === "function") {
    if (value.icaltype === "date-time" || value.icaltype === "date") {
      return { text: value.toString(), zone: value.zone ? value.zone.tzid : null,
               epoch: value.toUnixTime() };
    }
    return value.toString();
  }
  return value;
}

function dump(component) {
  const properties = {};
  for (const prop of component.getAllProperties()) {
    const name = prop.name.toUpperCase();
    const params = prop.toJSON()[1];
    (properties[name] ||= []).push({
      value: valueOf(prop.getFirstValue()),
      params,
      type: prop.type,
    });
  }
  return {
    name: component.name.toUpperCase(),
    properties,
    components: component.getAllSubcomponents().map(dump),
  };
}

const text = readFileSync(process.argv[2] || 0, "utf8");
const root = new ICAL.Component(ICAL.parse(text));
process.stdout.write(JSON.stringify(dump(root)));
