#!/usr/bin/env node
// Checks BPMN 2.0 files with the bpmn.io toolchain and prints one JSON report.
//
//   node check.mjs FILE.bpmn [FILE.bpmn ...]
//
// For every file: bpmn-moddle parses it (the parser of bpmn-js and Camunda Modeler; its
// warnings are unknown elements, unresolved references and the like), then bpmnlint runs its
// recommended rules on the parsed definitions. The output is an array with one object per file:
//   {"file", "parsed": bool, "error": text or null, "warnings": [text],
//    "lint": [{"id", "rule", "category": "error"|"warn"|..., "message"}]}
// Exit status: 0 when every file parsed without warnings and with no lint report of category
// "error" or "rule-error", 1 otherwise, 2 for wrong usage.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

async function checkFile(file) {
  const report = { file, parsed: false, error: null, warnings: [], lint: [] };
  let xml;
  try {
    xml = await readFile(file, 'utf8');
  } catch (err) {
    report.error = `cannot read the file: ${err.message}`;
    return report;
  }
  const moddle = new BpmnModdle();
  let definitions;
  try {
    const result = await moddle.fromXML(xml, 'bpmn:Definitions');
    definitions = result.rootElement;
    report.warnings = (result.warnings || []).map((w) => w.message);
    report.parsed = true;
  } catch (err) {
    report.error = err.message;
    return report;
  }
  const linter = new Linter({
    config: { extends: 'bpmnlint:recommended' },
    resolver: new NodeResolver()
  });
  const results = await linter.lint(definitions);
  for (const [rule, reports] of Object.entries(results)) {
    for (const r of reports) {
      report.lint.push({
        id: r.id || null,
        rule,
        category: r.category,
        message: r.message
      });
    }
  }
  return report;
}

async function main(files) {
  if (!files.length) {
    process.stderr.write('usage: node check.mjs FILE.bpmn [FILE.bpmn ...]\n');
    return 2;
  }
  const reports = [];
  for (const file of files) {
    reports.push(await checkFile(file));
  }
  process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  const bad = reports.some(
    (r) => !r.parsed || r.warnings.length ||
      r.lint.some((l) => l.category === 'error' || l.category === 'rule-error')
  );
  return bad ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`check.mjs: ${err.stack || err}\n`); process.exitCode = 2; }
);
