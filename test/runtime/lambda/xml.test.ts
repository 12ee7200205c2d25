import { child, childrenNamed, findDescendant, parseXml, textAt } from '../../../lib/runtime/lambda/xml';

test('elements, text with entities and character references, CDATA, empty elements; declaration and comments skipped', () => {
  const root = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment <with> a tag in it -->
<A xmlns="http://example.com/doc/">
  <B>x &lt; y &amp;&amp; &quot;z&quot; &#65;&#x42;</B>
  <C/>
  <C><![CDATA[<raw> & text]]></C>
  <D><E>one</E><E>two</E></D>
</A>`);
  expect(root.name).toBe('A');
  expect(textAt(root, 'B')).toBe('x < y && "z" AB');
  expect(childrenNamed(root, 'C').map((c) => c.text)).toEqual(['', '<raw> & text']);
  expect(childrenNamed(child(root, 'D'), 'E').map((e) => e.text)).toEqual(['one', 'two']);
  expect(textAt(root, 'D', 'Missing')).toBeUndefined();
  expect(findDescendant(root, 'E')?.text).toBe('one');
});

test('a document that does not close, or closes the wrong element, is refused', () => {
  expect(() => parseXml('<A><B></A>')).toThrow('</A> closes <B>');
  expect(() => parseXml('<A><B>')).toThrow('<B> is not closed');
  expect(() => parseXml('</A>')).toThrow('closes nothing');
  expect(() => parseXml('just text')).toThrow('no element');
});
