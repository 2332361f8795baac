import { describe, expect, it } from 'vitest';
import { manifestKindOf, parseCargo, parseGemfile, parseGoMod, parseGoWork, parseGradle, parsePackageJson, parsePipfile, parsePnpmWorkspace, parsePom, parsePyproject, parseTsconfig, readManifestText, stripJsonComments } from './manifests';

describe('manifest parsers', () => {
  it('package.json: dependencies, dev dependencies, workspaces object form, bin/exports entries, module type', () => {
    const info = parsePackageJson(
      JSON.stringify({
        name: 'x',
        type: 'module',
        workspaces: { packages: ['libs/*'] },
        main: './dist/index.js',
        bin: { x: 'bin/x.js' },
        exports: { './extra': './src/extra.ts', '.': { import: './src/index.ts' } },
        dependencies: { b: '1', a: '1' },
        peerDependencies: { react: '*' },
        devDependencies: { vitest: '4' },
      }),
    );
    expect(info).toMatchObject({ name: 'x', dependencies: ['a', 'b', 'react'], devDependencies: ['vitest'], workspaces: ['libs/*'], moduleSystem: 'ESM' });
    expect(info.entries).toEqual(['dist/index.js', 'bin/x.js', 'src/index.ts', 'src/extra.ts']);
  });

  it('tsconfig: comments and trailing commas, but "/*" inside strings is kept', () => {
    const text = '{\n  /* block */ "compilerOptions": { // line\n "strict": true, "paths": { "@/*": ["./src/*"] }, "module": "NodeNext", },\n  "references": [{ "path": "../protocol" },],\n}';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ compilerOptions: { strict: true, paths: { '@/*': ['./src/*'] }, module: 'NodeNext' }, references: [{ path: '../protocol' }] });
    expect(parseTsconfig(text)).toEqual({ dependencies: ['../protocol'], compilerOptions: { strict: true, module: 'NodeNext' }, moduleSystem: 'NodeNext' });
  });

  it('pyproject.toml (smol-toml): PEP 621 and Poetry dependencies, optional groups, pytest config, scripts as entries', () => {
    const info = parsePyproject(
      [
        '[project]',
        'name = "shop"',
        'dependencies = [',
        '  "fastapi[standard]>=0.110",  # web',
        '  "SQLAlchemy[asyncio]~=2.0",',
        ']',
        '[project.optional-dependencies]',
        'dev = ["ruff"]',
        '[project.scripts]',
        'shop = "shop.main:run"',
        '[tool.poetry.group.test.dependencies]',
        'hypothesis = "^6"',
        '[tool.pytest.ini_options]',
        'testpaths = ["tests"]',
      ].join('\n'),
    );
    expect(info).toEqual({ name: 'shop', dependencies: ['fastapi', 'sqlalchemy'], devDependencies: ['hypothesis', 'pytest', 'ruff'], scripts: { shop: 'shop.main:run' }, entries: ['shop.main:run'] });
  });

  it('Cargo.toml ([[bin]] paths, workspace members), Pipfile', () => {
    expect(parseCargo('[package]\nname = "app"\n[dependencies]\naxum = "0.7"\nserde = { version = "1", features = ["derive"] }\n[dev-dependencies]\ninsta = "1"\n[workspace]\nmembers = ["x"]\n[[bin]]\nname = "tool"\npath = "src/bin/tool.rs"\n')).toEqual({
      name: 'app',
      dependencies: ['axum', 'serde'],
      devDependencies: ['insta'],
      workspaces: ['x'],
      entries: ['src/bin/tool.rs'],
    });
    expect(parsePipfile('[packages]\nflask = "*"\n[dev-packages]\npytest = "*"\n')).toEqual({ dependencies: ['flask'], devDependencies: ['pytest'] });
  });

  it('go.mod and go.work', () => {
    const mod = parseGoMod('module example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgithub.com/stretchr/testify v1.8.4 // indirect\n)\nrequire golang.org/x/sync v0.6.0\n');
    expect(mod).toEqual({ name: 'example.com/api', dependencies: ['github.com/gin-gonic/gin', 'github.com/stretchr/testify', 'golang.org/x/sync'], moduleSystem: 'Go modules (go 1.22)' });
    expect(parseGoWork('go 1.22\nuse (\n\t./api\n\t./worker\n)\nuse ./tools\n').workspaces).toEqual(['api', 'worker', 'tools']);
  });

  it('pom.xml (fast-xml-parser): test scope as dev, the parent as a dependency, modules; build.gradle; Gemfile groups', () => {
    const pom = `<?xml version="1.0"?><project><parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId></parent><artifactId>shop</artifactId>
      <modules><module>core</module></modules>
      <dependencies>
        <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
        <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><scope>test</scope></dependency>
      </dependencies></project>`;
    expect(parsePom(pom)).toEqual({
      name: 'shop',
      dependencies: ['org.springframework.boot:spring-boot-starter-parent', 'org.springframework.boot:spring-boot-starter-web'],
      devDependencies: ['org.junit.jupiter:junit-jupiter'],
      workspaces: ['core'],
    });
    expect(parseGradle("plugins {\n  id 'org.springframework.boot' version '3.3.0'\n}\ndependencies {\n  implementation 'io.ktor:ktor-server-core:2.3.0'\n  testImplementation(\"junit:junit:4.13\")\n}")).toEqual({
      dependencies: ['io.ktor:ktor-server-core', 'plugin:org.springframework.boot'],
      devDependencies: ['junit:junit'],
    });
    expect(parseGemfile("source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\ngroup :development, :test do\n  gem 'rspec-rails'\nend\ngem 'pg'\n")).toEqual({ dependencies: ['pg', 'rails'], devDependencies: ['rspec-rails'] });
  });

  it('pnpm-workspace.yaml (yaml): package patterns, comments and quotes', () => {
    expect(parsePnpmWorkspace("packages:\n  - 'apps/*'\n  - \"libs/**\" # all\nother: 1\n").workspaces).toEqual(['apps/*', 'libs/**']);
  });

  it('knows manifests by name and turns a parse failure into parseError', () => {
    expect(manifestKindOf('a/b/pyproject.toml')).toBe('pyproject');
    expect(manifestKindOf('tsconfig.build.json')).toBe('tsconfig');
    expect(manifestKindOf('requirements-dev.txt')).toBe('pip-requirements');
    expect(manifestKindOf('src/main.py')).toBeUndefined();
    const broken = readManifestText('pyproject.toml', 'pyproject', '[project\nname = ');
    expect(broken).toMatchObject({ path: 'pyproject.toml', kind: 'pyproject', dependencies: [] });
    expect(broken.parseError).toBeTruthy();
  });
});
