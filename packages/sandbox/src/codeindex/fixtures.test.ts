/** The code index on the fixture repositories: the facts EXPLORE and the planner rely on, pinned. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree } from '../executors/__fixtures__/tree';
import { buildCodeIndex } from './build';
import type { CodeIndex } from './types';

const REPOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/repos');
const EXAMPLES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples');

const routes = (index: CodeIndex) => index.facts.routes.map((r) => `${r.method} ${r.path} ${r.file}`);
const models = (index: CodeIndex) => index.facts.models.map((m) => `${m.name} ${m.file}`);

describe('code index: fastapi-shop (FastAPI + SQLModel + pytest)', () => {
  let index: CodeIndex;
  beforeAll(async () => {
    index = await buildCodeIndex(path.join(REPOS, 'fastapi-shop'), { commit: null, workers: 0 });
  });

  it('is Python, with FastAPI, SQLModel and pytest', () => {
    expect(index.languages[0]).toEqual({ name: 'Python', files: 28 });
    expect(index.facts.frameworks).toEqual(expect.arrayContaining(['FastAPI', 'SQLModel', 'Pydantic', 'pytest']));
    expect(index.facts.frameworks).not.toContain('Express');
  });

  it('finds every route with its router prefix applied across files (APIRouter prefix, include_router, settings.API_V1_STR)', () => {
    expect(routes(index)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/password-recovery/{email} src/shop/auth/password_reset.py',
        'POST /api/v1/reset-password/ src/shop/auth/password_reset.py',
        'POST /api/v1/login/access-token src/shop/api/routes/login.py',
        'GET /api/v1/users/me src/shop/api/routes/users.py',
        'DELETE /api/v1/users/{user_id} src/shop/api/routes/users.py',
        'GET /api/v1/items/ src/shop/api/routes/items.py',
        'PUT /api/v1/items/{id} src/shop/api/routes/items.py',
      ]),
    );
    expect(index.facts.routes).toHaveLength(15);
    expect(index.facts.routes.find((r) => r.path === '/api/v1/password-recovery/{email}')).toMatchObject({ framework: 'FastAPI', handler: 'recover_password', line: 35 });
  });

  it('finds the SQLModel tables (table=True only) with inherited fields', () => {
    expect(models(index)).toEqual(['Item src/shop/models/item.py', 'User src/shop/models/user.py']);
    const user = index.facts.models.find((m) => m.name === 'User');
    expect(user).toMatchObject({ framework: 'SQLModel', table: 'user' });
    expect(user?.fields).toEqual(expect.arrayContaining(['email', 'hashed_password', 'is_active']));
  });

  it('finds the settings class, the security scheme and the auth dependencies where they are defined', () => {
    expect(index.facts.settings[0]).toEqual({ name: 'Settings', file: 'src/shop/core/config.py', line: 14, kind: 'settings_class' });
    expect(index.facts.auth).toEqual(
      expect.arrayContaining([
        { name: 'reusable_oauth2', file: 'src/shop/api/deps.py', line: 17, kind: 'security_scheme' },
        { name: 'get_current_user', file: 'src/shop/api/deps.py', line: 30, kind: 'dependency' },
      ]),
    );
  });

  it('finds the entry point and the pytest layout', () => {
    expect(index.facts.entryPoints[0]).toMatchObject({ path: 'src/shop/main.py', kind: 'python_main' });
    expect(index.facts.tests).toMatchObject({ runner: 'pytest', runners: ['pytest'], layout: 'separate', dirs: ['tests'], pattern: 'test_*.py', files: 3, command: 'pytest' });
    expect(index.facts.tests.examples).toContain('tests/auth/test_password_reset.py');
    expect(index.testRunners).toEqual(['pytest']);
  });

  it('ranks the password-reset module and its functions first for "password reset email"', () => {
    const hits = index.search('password reset email');
    expect(hits[0]).toMatchObject({ path: 'src/shop/auth/password_reset.py' });
    expect(hits[0]!.symbol).toBeUndefined();
    expect(hits.slice(0, 3).every((h) => h.path === 'src/shop/auth/password_reset.py')).toBe(true);
    expect(hits.slice(1, 3).map((h) => h.symbol)).toEqual(['recover_password', 'reset_password']);
    expect(hits[0]!.matched).toEqual(expect.arrayContaining(['path', 'route', 'symbol']));
    expect(index.search('forgot password', { excludeTests: true }).every((h) => !h.path.startsWith('tests/'))).toBe(true);
    expect(index.search('the and of')).toEqual([]);
  });
});

describe('code index: express-prisma-api (Express + Prisma + Vitest)', () => {
  let index: CodeIndex;
  beforeAll(async () => {
    index = await buildCodeIndex(path.join(REPOS, 'express-prisma-api'), { commit: null, workers: 0 });
  });

  it('is TypeScript with Express, Prisma and Vitest', () => {
    expect(index.languages[0]).toEqual({ name: 'TypeScript', files: 15 });
    expect(index.facts.frameworks).toEqual(expect.arrayContaining(['Express', 'Prisma', 'Vitest']));
  });

  it('applies the prefixes app.use mounts routers on (default and named exports)', () => {
    expect(routes(index)).toEqual([
      'GET /health src/app.ts',
      'POST /api/auth/register src/routes/auth.ts',
      'POST /api/auth/login src/routes/auth.ts',
      'GET /api/posts src/routes/posts.ts',
      'GET /api/posts/:id src/routes/posts.ts',
      'POST /api/posts src/routes/posts.ts',
      'POST /api/posts/:id/publish src/routes/posts.ts',
      'DELETE /api/posts/:id src/routes/posts.ts',
      'GET /api/users/me src/routes/users.ts',
      'GET /api/users src/routes/users.ts',
    ]);
    expect(new Set(index.facts.routes.map((r) => r.framework))).toEqual(new Set(['Express']));
  });

  it('parses the Prisma schema (fields, @@map)', () => {
    expect(models(index)).toEqual(['User prisma/schema.prisma', 'Post prisma/schema.prisma', 'Comment prisma/schema.prisma']);
    expect(index.facts.models.find((m) => m.name === 'Comment')).toMatchObject({ framework: 'Prisma', table: 'comments', fields: ['id', 'body', 'post', 'postId', 'author', 'authorId'] });
  });

  it('finds the env reader, the JWT middleware, the server and a mixed Vitest layout', () => {
    expect(index.facts.settings[0]).toMatchObject({ file: 'src/config.ts', kind: 'env_reader' });
    expect(index.facts.auth.map((a) => `${a.name} ${a.file} ${a.kind}`)).toEqual(['requireAuth src/middleware/auth.ts middleware', 'requireAdmin src/middleware/auth.ts middleware']);
    expect(index.facts.entryPoints[0]).toMatchObject({ path: 'src/server.ts', kind: 'server_listen' });
    expect(index.facts.tests).toMatchObject({ runner: 'Vitest', layout: 'mixed', pattern: '*.test.ts', files: 3, command: 'npm test', dirs: ['test'] });
  });
});

describe('code index: spring-clinic (Spring Boot + JPA + JUnit 5)', () => {
  let index: CodeIndex;
  beforeAll(async () => {
    index = await buildCodeIndex(path.join(REPOS, 'spring-clinic'), { commit: null, workers: 0 });
  });

  it('is Java with Spring Boot, Spring Data JPA and JUnit 5', () => {
    expect(index.languages[0]).toEqual({ name: 'Java', files: 13 });
    expect(index.facts.frameworks).toEqual(expect.arrayContaining(['Spring Boot', 'Spring Data JPA', 'Thymeleaf', 'JUnit 5']));
  });

  it('reads Spring mappings, with the class @RequestMapping prefix', () => {
    const controller = 'src/main/java/org/example/clinic/owner/OwnerController.java';
    expect(routes(index)).toEqual(
      expect.arrayContaining([
        `GET /owners/{ownerId} ${controller}`,
        `POST /owners/new ${controller}`,
        `GET /owners/{ownerId}/edit ${controller}`,
        'GET /api/vets src/main/java/org/example/clinic/vet/VetController.java',
        'GET / src/main/java/org/example/clinic/system/WelcomeController.java',
      ]),
    );
    expect(index.facts.routes.find((r) => r.path === '/owners/{ownerId}' && r.method === 'GET')).toMatchObject({ framework: 'Spring', handler: 'showOwner' });
  });

  it('finds the @Entity classes (not the @MappedSuperclass) with @Table names and fields', () => {
    expect(models(index)).toEqual([
      'Owner src/main/java/org/example/clinic/owner/Owner.java',
      'Pet src/main/java/org/example/clinic/owner/Pet.java',
      'Vet src/main/java/org/example/clinic/vet/Vet.java',
    ]);
    expect(index.facts.models[0]).toMatchObject({ framework: 'JPA', table: 'owners', fields: ['firstName', 'lastName', 'address', 'city', 'telephone', 'pets'] });
  });

  it('finds @SpringBootApplication, @ConfigurationProperties, application.properties and the JUnit 5 layout with its Maven command', () => {
    expect(index.facts.entryPoints[0]).toMatchObject({ path: 'src/main/java/org/example/clinic/ClinicApplication.java', kind: 'spring_boot_application' });
    expect(index.facts.settings.map((s) => `${s.name} ${s.kind}`)).toEqual(['ClinicProperties settings_class', 'application.properties config_file']);
    expect(index.facts.tests).toMatchObject({ runner: 'JUnit 5', layout: 'separate', pattern: '*Tests.java', files: 2, command: 'mvn test' });
  });
});

describe('code index: examples/bookshop (Fastify + Drizzle + Vitest)', () => {
  let index: CodeIndex;
  beforeAll(async () => {
    index = await buildCodeIndex(path.join(EXAMPLES, 'bookshop'), { commit: null, workers: 0 });
  });

  it('applies Fastify register prefixes to the routes declared inside plugins', () => {
    expect(routes(index)).toEqual(expect.arrayContaining(['POST /api/orders/:id/pay src/routes/orders.ts', 'GET /api/books/:id src/routes/books.ts', 'POST /api/customers/login src/routes/customers.ts']));
    expect(new Set(index.facts.routes.map((r) => r.framework))).toEqual(new Set(['Fastify']));
  });

  it('finds the Drizzle tables, the JWT plugin decorators and the env reader', () => {
    expect(index.facts.models.map((m) => m.table)).toEqual(['authors', 'books', 'customers', 'cart_items', 'orders', 'order_items', 'payments']);
    expect(index.facts.auth.map((a) => a.name)).toEqual(['authenticate', 'requireAdmin']);
    expect(index.facts.settings[0]).toMatchObject({ name: 'loadConfig', file: 'src/config.ts', kind: 'env_reader' });
  });

  it('ranks the payment gateway and the order service for "Add order refunds"', () => {
    const top = index.search('Add order refunds', { limit: 3 }).map((h) => h.path);
    expect(top).toEqual(expect.arrayContaining(['src/lib/paymentGateway.ts', 'src/services/orderService.ts']));
  });
});

describe('code index: Go (Gin + GORM), Rust (Axum), Ruby (Rails)', () => {
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let index: CodeIndex;
  beforeAll(async () => {
    tree = await makeTree({
      'go.mod': 'module example.com/shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgorm.io/gorm v1.25.5\n)\n',
      'cmd/api/main.go': 'package main\n\nimport "github.com/gin-gonic/gin"\n\nfunc main() {\n\tr := gin.Default()\n\tv1 := r.Group("/api/v1")\n\tusers := v1.Group("/users")\n\tusers.GET("/:id", getUser)\n\tusers.POST("", createUser)\n\tr.GET("/health", health)\n\tr.Run(":8080")\n}\n',
      'internal/models/user.go': 'package models\n\nimport "gorm.io/gorm"\n\n// User is a customer account.\ntype User struct {\n\tgorm.Model\n\tEmail string `gorm:"uniqueIndex"`\n\tName  string\n}\n',
      'pkg/validation/limits.go': 'package validation\n\n// Limits describe all the limits for users; per-tenant overrides come from the runtime config.\ntype Limits struct {\n\tIngestionRateMB float64 `yaml:"ingestion_rate_mb"`\n\tMaxStreamsPerUser int `yaml:"max_streams_per_user"`\n}\n\n// RegisterFlags adds the flags of the limits.\nfunc (l *Limits) RegisterFlags() {}\n',
      'internal/handlers/user_test.go': 'package handlers\n\nimport "testing"\n\nfunc TestGetUser(t *testing.T) {}\n',
      'tool/Cargo.toml': '[package]\nname = "tool"\n\n[dependencies]\naxum = "0.7"\n',
      'tool/src/main.rs': 'use axum::{routing::get, Router};\n\n#[tokio::main]\nasync fn main() {\n    let app = Router::new().route("/users/:id", get(show_user).delete(delete_user));\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn works() {}\n}\n',
      'rails/config/routes.rb': 'Rails.application.routes.draw do\n  root "pages#home"\n  resources :users, only: [:index, :show] do\n    resources :posts, only: [:create]\n  end\n  namespace :api do\n    get "status" => "status#show"\n  end\n  post "/logout", to: "sessions#destroy"\nend\n',
      'rails/app/controllers/users_controller.rb': 'class UsersController < ApplicationController\n  before_action :authenticate_user!\nend\n',
      'rails/spec/user_spec.rb': 'require "rails_helper"\n\nRSpec.describe User do\n  it "works" do\n  end\nend\n',
    });
    index = await buildCodeIndex(tree.root, { commit: null, workers: 0 });
  });
  afterAll(() => tree.cleanup());

  it('Gin routes with group prefixes, GORM models, config structs, go_cmd entry point, go test', () => {
    expect(routes(index)).toEqual(expect.arrayContaining(['GET /api/v1/users/:id cmd/api/main.go', 'POST /api/v1/users cmd/api/main.go', 'GET /health cmd/api/main.go']));
    expect(index.facts.routes.find((r) => r.file === 'cmd/api/main.go')?.framework).toBe('Gin');
    expect(index.facts.models).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'User', file: 'internal/models/user.go', framework: 'GORM', fields: ['Email', 'Name'] })]));
    expect(index.facts.settings).toEqual([{ name: 'Limits', file: 'pkg/validation/limits.go', line: 4, kind: 'config_struct' }]);
    expect(index.facts.entryPoints).toEqual(expect.arrayContaining([{ path: 'cmd/api/main.go', kind: 'go_cmd', line: 5 }]));
    expect(index.facts.tests.runners).toEqual(expect.arrayContaining(['go test', 'RSpec', 'cargo test']));
    expect(index.search('per-tenant limits')[0]).toMatchObject({ path: 'pkg/validation/limits.go' });
  });

  it('Axum routes, Rust main', () => {
    expect(routes(index)).toEqual(expect.arrayContaining(['GET /users/:id tool/src/main.rs', 'DELETE /users/:id tool/src/main.rs']));
    expect(index.facts.entryPoints).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'tool/src/main.rs', kind: 'main' })]));
  });

  it('Rails routes (root, resources with only:, nesting, namespace, verb routes) and before_action auth', () => {
    expect(index.facts.routes.filter((r) => r.framework === 'Rails').map((r) => `${r.method} ${r.path} ${r.handler ?? ''}`)).toEqual([
      'GET / pages#home',
      'GET /users users#index',
      'GET /users/:id users#show',
      'POST /users/:user_id/posts posts#create',
      'GET /api/status status#show',
      'POST /logout sessions#destroy',
    ]);
    expect(index.facts.auth).toEqual([{ name: 'authenticate_user!', file: 'rails/app/controllers/users_controller.rb', line: 2, kind: 'before_action' }]);
  });
});

describe('code index: Flask, Django, SQLAlchemy, NestJS + TypeORM', () => {
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let index: CodeIndex;
  beforeAll(async () => {
    tree = await makeTree({
      'flaskapp/app/__init__.py': 'from flask import Flask\nfrom app.routes.auth import bp as auth_bp\n\napp = Flask(__name__)\napp.register_blueprint(auth_bp, url_prefix="/auth")\n\n@app.route("/health")\ndef health():\n    return "ok"\n',
      'flaskapp/app/routes/auth.py': 'from flask import Blueprint\nfrom flask_login import login_required\n\nbp = Blueprint("auth", __name__)\n\n@bp.route("/login", methods=["GET", "POST"])\ndef login():\n    return ""\n\n@bp.post("/logout")\n@login_required\ndef logout():\n    return ""\n',
      'djangoapp/shop/urls.py': 'from django.urls import include, path, re_path\nfrom . import views\n\nurlpatterns = [\n    path("", views.index, name="index"),\n    path("blog/", include("blog.urls")),\n    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive),\n]\n',
      'djangoapp/blog/urls.py': 'from django.urls import path\nfrom . import views\n\nurlpatterns = [\n    path("<int:pk>/", views.PostDetail.as_view(), name="post"),\n]\n',
      'djangoapp/blog/models.py': 'from django.db import models\n\nclass Post(models.Model):\n    title = models.CharField(max_length=200)\n    body = models.TextField()\n    objects = models.Manager()\n',
      'sqla/models.py': 'from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\nclass Base(DeclarativeBase):\n    pass\n\nclass Invoice(Base):\n    __tablename__ = "invoices"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    total: Mapped[int]\n',
      'nestapp/src/users.controller.ts': "import { Controller, Get, Post } from '@nestjs/common';\nimport { Entity, Column, PrimaryGeneratedColumn } from 'typeorm';\n\n@Entity('users')\nexport class User {\n  @PrimaryGeneratedColumn() id!: number;\n  @Column() email!: string;\n}\n\n@Controller('users')\nexport class UsersController {\n  @Get(':id')\n  findOne() {}\n\n  @Post()\n  create() {}\n}\n",
    });
    index = await buildCodeIndex(tree.root, { commit: null, workers: 0 });
  });
  afterAll(() => tree.cleanup());

  it('Flask: @app.route, blueprint routes under register_blueprint(url_prefix), methods=[…], @login_required', () => {
    expect(routes(index)).toEqual(expect.arrayContaining(['GET /health flaskapp/app/__init__.py', 'GET /auth/login flaskapp/app/routes/auth.py', 'POST /auth/login flaskapp/app/routes/auth.py', 'POST /auth/logout flaskapp/app/routes/auth.py']));
    expect(index.facts.auth).toEqual([{ name: 'login_required', file: 'flaskapp/app/routes/auth.py', line: 12, kind: 'decorator' }]);
    expect(index.facts.entryPoints).toEqual(expect.arrayContaining([{ path: 'flaskapp/app/__init__.py', kind: 'wsgi_app', line: 4 }]));
  });

  it('Django: path()/re_path() with include() prefixes; models.Model', () => {
    expect(routes(index)).toEqual(expect.arrayContaining(['ANY / djangoapp/shop/urls.py', 'ANY /blog/<int:pk>/ djangoapp/blog/urls.py', 'ANY /archive/(?P<year>[0-9]{4})/ djangoapp/shop/urls.py']));
    expect(index.facts.models.find((m) => m.name === 'Post')).toMatchObject({ file: 'djangoapp/blog/models.py', framework: 'Django', fields: ['title', 'body'] });
  });

  it('SQLAlchemy 2 declarative models (the Base itself is not a model)', () => {
    expect(index.facts.models.filter((m) => m.file === 'sqla/models.py')).toEqual([{ name: 'Invoice', file: 'sqla/models.py', line: 6, framework: 'SQLAlchemy', fields: ['id', 'total'], table: 'invoices' }]);
  });

  it('NestJS controllers and TypeORM entities, decorators on the export', () => {
    expect(index.facts.routes.filter((r) => r.framework === 'NestJS').map((r) => `${r.method} ${r.path} ${r.handler ?? ''}`)).toEqual(['GET /users/:id findOne', 'POST /users create']);
    expect(index.facts.models.find((m) => m.framework === 'TypeORM')).toMatchObject({ name: 'User', table: 'users', fields: ['id', 'email'] });
  });
});
