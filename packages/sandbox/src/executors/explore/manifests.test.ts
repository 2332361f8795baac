import { describe, expect, it } from 'vitest';
import { parseCargo, parseGoMod, parseGoWork, parseGradle, parsePackageJson, parsePipfile, parsePnpmWorkspace, parsePom, parseTsconfig, stripJsonComments } from './manifests';
import { parseToml } from './toml';

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
    expect(info).toMatchObject({ name: 'x', dependencies: ['a', 'b', 'react'], dev_dependencies: ['vitest'], workspaces: ['libs/*'], module_system: 'ESM' });
    expect(info.entries).toEqual(['dist/index.js', 'bin/x.js', 'src/index.ts', 'src/extra.ts']);
  });

  it('tsconfig: comments and trailing commas, but "/*" inside strings is kept', () => {
    const text = '{\n  /* block */ "compilerOptions": { // line\n "strict": true, "paths": { "@/*": ["./src/*"] }, "module": "NodeNext", },\n  "references": [{ "path": "../protocol" },],\n}';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ compilerOptions: { strict: true, paths: { '@/*': ['./src/*'] }, module: 'NodeNext' }, references: [{ path: '../protocol' }] });
    expect(parseTsconfig(text)).toEqual({ dependencies: ['../protocol'], compiler_options: { strict: true, module: 'NodeNext' }, module_system: 'NodeNext' });
  });

  it('TOML: tables, dotted headers, multi-line arrays with comments, inline tables', () => {
    const tables = parseToml(['name = "root" # c', '[dependencies]', 'serde = { version = "1", features = ["derive"] }', 'tokio = "1"', '[workspace]', 'members = [', '  "crates/a", # first', '  "crates/b",', ']', "[tool.x]", "flag = true", "n = 1_000"].join('\n'));
    expect(tables.get('')).toEqual({ name: 'root' });
    expect(tables.get('dependencies')).toEqual({ serde: { version: '1', features: ['derive'] }, tokio: '1' });
    expect(tables.get('workspace')).toEqual({ members: ['crates/a', 'crates/b'] });
    expect(tables.get('tool.x')).toEqual({ flag: true, n: 1000 });
  });

  it('Cargo.toml, Pipfile', () => {
    expect(parseCargo('[package]\nname = "app"\n[dependencies]\naxum = "0.7"\n[dev-dependencies]\ninsta = "1"\n[workspace]\nmembers = ["x"]\n')).toEqual({ name: 'app', dependencies: ['axum'], dev_dependencies: ['insta'], workspaces: ['x'] });
    expect(parsePipfile('[packages]\nflask = "*"\n[dev-packages]\npytest = "*"\n')).toEqual({ dependencies: ['flask'], dev_dependencies: ['pytest'] });
  });

  it('go.mod and go.work', () => {
    const mod = parseGoMod('module example.com/api\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgithub.com/stretchr/testify v1.8.4 // indirect\n)\nrequire golang.org/x/sync v0.6.0\n');
    expect(mod).toEqual({ name: 'example.com/api', dependencies: ['github.com/gin-gonic/gin', 'github.com/stretchr/testify', 'golang.org/x/sync'], module_system: 'Go modules (go 1.22)' });
    expect(parseGoWork('go 1.22\nuse (\n\t./api\n\t./worker\n)\n').workspaces).toEqual(['api', 'worker']);
  });

  it('pom.xml (test scope as dev, parent ignored for the name), build.gradle, pnpm-workspace.yaml', () => {
    const pom = `<project><parent><artifactId>boot-parent</artifactId></parent><artifactId>shop</artifactId>
      <modules><module>core</module></modules>
      <dependencies>
        <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
        <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><scope>test</scope></dependency>
      </dependencies></project>`;
    expect(parsePom(pom)).toEqual({ name: 'shop', dependencies: ['org.springframework.boot:spring-boot-starter-web'], dev_dependencies: ['org.junit.jupiter:junit-jupiter'], workspaces: ['core'] });
    expect(parseGradle("dependencies {\n  implementation 'io.ktor:ktor-server-core:2.3.0'\n  testImplementation(\"junit:junit:4.13\")\n}")).toEqual({ dependencies: ['io.ktor:ktor-server-core'], dev_dependencies: ['junit:junit'] });
    expect(parsePnpmWorkspace("packages:\n  - 'apps/*'\n  - \"libs/**\" # all\nother: 1\n").workspaces).toEqual(['apps/*', 'libs/**']);
  });
});
