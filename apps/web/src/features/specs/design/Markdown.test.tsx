import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';
import { sanitizeSvg } from './MermaidDiagram';

describe('sanitizeSvg', () => {
  it('drops scripts, event handlers and javascript: links but keeps the drawing and its text', () => {
    const dirty = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><a href="javascript:alert(2)"><rect width="5" onload="alert(3)"/></a><text x="1">Limiter</text></svg>';
    const clean = sanitizeSvg(dirty);
    expect(clean).not.toMatch(/script|onload|javascript:/i);
    expect(clean).toContain('<rect');
    expect(clean).toContain('Limiter');
  });
});

describe('Markdown', () => {
  it('renders GitHub-flavoured Markdown but not raw HTML', () => {
    const { container } = render(<Markdown>{'## Overview\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<img src="x" onerror="alert(1)">\n\n<b>bold?</b>'}</Markdown>);
    expect(screen.getByRole('heading', { name: 'Overview' })).toBeTruthy();
    expect(screen.getByRole('table')).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('hands ```mermaid blocks to the diagram renderer instead of printing them as code', () => {
    render(<Markdown>{'Before\n\n```mermaid\ngraph TD; A-->B\n```\n\n```ts\nconst x = 1;\n```'}</Markdown>);
    expect(screen.getByRole('status').textContent).toBe('Rendering diagram…');
    expect(screen.getByText('graph TD; A-->B').closest('details')).toBeTruthy();
    expect(screen.getByText('const x = 1;').closest('pre')?.closest('figure')).toBeNull();
  });
});
