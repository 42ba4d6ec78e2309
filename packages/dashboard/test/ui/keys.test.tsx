/**
 * Moving a selection and scrolling a view with the keyboard: bounds, pages, and logs whose
 * scroll counts up from the newest line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Key } from "ink";
import { NO_KEY, moveSelection, scrollBy } from "../../src/ui/keys.js";

const press = (flag: keyof Key): Key => ({ ...NO_KEY, [flag]: true });

test("a selection moves by one, by a page and to either end, and stays within the list", () => {
  assert.equal(moveSelection(0, 5, press("downArrow")), 1);
  assert.equal(moveSelection(0, 5, press("upArrow")), 0);
  assert.equal(moveSelection(4, 5, press("downArrow")), 4);
  assert.equal(moveSelection(1, 50, press("pageDown")), 11);
  assert.equal(moveSelection(3, 50, press("pageUp"), 2), 1);
  assert.equal(moveSelection(3, 50, press("end")), 49);
  assert.equal(moveSelection(3, 50, press("home")), 0);
  assert.equal(moveSelection(0, 0, press("downArrow")), undefined, "an empty list");
  assert.equal(moveSelection(0, 5, press("return")), undefined, "a key that does not move");
});

test("a view scrolls no further than its last full screen; a log's arrows are turned round", () => {
  // 30 lines in a view 10 tall: the first line shown is 0..20 (20 shows lines 20..29).
  assert.equal(scrollBy(0, 30, 10, press("downArrow")), 1);
  assert.equal(scrollBy(0, 30, 10, press("pageDown")), 10);
  assert.equal(scrollBy(15, 30, 10, press("pageDown")), 20);
  assert.equal(scrollBy(0, 30, 10, press("end")), 20);
  assert.equal(scrollBy(0, 4, 10, press("downArrow")), 0, "what fits does not scroll");
  // From the end: up goes back in time, so it scrolls further from the newest line.
  assert.equal(scrollBy(0, 30, 10, press("upArrow"), true), 1);
  assert.equal(scrollBy(5, 30, 10, press("downArrow"), true), 4);
  assert.equal(scrollBy(0, 30, 10, press("pageUp"), true), 10);
  assert.equal(scrollBy(0, 30, 10, press("tab"), true), undefined);
});
