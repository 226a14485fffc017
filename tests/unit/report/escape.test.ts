import { describe, expect, it } from '@jest/globals';
import { clip, escapeAttribute, escapeHtml, escapeMarkdown } from '#lib/report/escape.ts';

describe('report escaping', () => {
  it('escapes markup so that none of it survives as a tag', () => {
    const html = escapeHtml('<script>alert(1)</script><img src=x onerror="a()"></textarea>&amp;\'');
    expect(html).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;a()&quot;&gt;&lt;/textarea&gt;&amp;amp;&#39;',
    );
  });

  it('shows bidi overrides, zero-width marks, NUL and other controls instead of passing them raw', () => {
    const html = escapeHtml('a\u202Eb\u200Bc\u0000d\u001Be\u2066f\u0085g\tkeep\nkeep');
    expect(
      ['\u202E', '\u200B', '\u0000', '\u001B', '\u2066', '\u0085'].filter((raw) => html.includes(raw)),
    ).toEqual([]);
    expect(html).toContain('<span class="ctl" title="control character">U+202E</span>');
    expect(html).toContain('>NUL</span>');
    expect(html).toContain('>ESC</span>');
    expect(html).toContain('>U+2066</span>');
    expect(html).toContain('>U+0085</span>');
    expect(html).toContain('\tkeep\nkeep');
  });

  it('uses no markup for controls inside attributes', () => {
    expect(escapeAttribute('x"\u202E')).toBe('x&quot;[U+202E]');
  });

  it('makes Markdown inert on one line: no emphasis, links, HTML, tables or code', () => {
    const md = escapeMarkdown('**b** [l](http://x) <img> |a| `c` _i_ ~s~ \\ &lt;\nnext\u202E');
    expect(md).toBe(
      '\\*\\*b\\*\\* \\[l\\](http://x) \\<img\\> \\|a\\| \\`c\\` \\_i\\_ \\~s\\~ \\\\ \\&lt; next\\[U+202E\\]',
    );
  });

  it('clips long text without splitting a surrogate pair', () => {
    expect(clip('abcdef', 3)).toBe('abc…');
    expect(clip('ab😀cd', 3)).toBe('ab…');
    expect(clip('short', 10)).toBe('short');
  });
});
