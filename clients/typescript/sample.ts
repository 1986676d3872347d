// Every call README.md shows, made through a client generated from /api/schema/
// (openapi-typescript + openapi-fetch). `make client-check` type-checks it with `tsc --strict`;
// it is never run. A call README documents that the generated types do not allow fails the check.
import createClient from "openapi-fetch";
import type { paths } from "./schema";

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });
const PASSWORD = "correct horse battery staple";
const auth = (token: string) => ({ headers: { Authorization: `Token ${token}` } });

export async function accounts(): Promise<void> {
  // 1. Sign up (both route sets), 2. activate
  await api.POST("/auth/users/", { body: { email: "ada@example.org", password: PASSWORD } });
  await api.POST("/dj-rest-auth/registration/", {
    body: { email: "ada@example.org", password1: PASSWORD, password2: PASSWORD },
  });
  await api.POST("/auth/users/activation/", { body: { uid: "<uid>", token: "<token>" } });

  // 3. Log in on each route
  const login = await api.POST("/auth/token/login/", {
    body: { email: "ada@example.org", password: PASSWORD },
  });
  // With two-factor authentication on, each login answers {mfa_required, ephemeral_token} instead.
  const token: string = login.data && "auth_token" in login.data ? login.data.auth_token : "";
  const restAuth = await api.POST("/dj-rest-auth/login/", {
    body: { email: "ada@example.org", password: PASSWORD },
  });
  const key: string = restAuth.data && "key" in restAuth.data ? restAuth.data.key : "";
  const drf = await api.POST("/api-token-auth/", {
    body: { username: "ada@example.org", password: PASSWORD },
  });
  const drfToken: string = drf.data && "token" in drf.data ? drf.data.token : "";

  // 4. The profile
  const me = await api.GET("/auth/users/me/", auth(token));
  const email: string | undefined = me.data?.email;
  await api.PATCH("/auth/users/me/", {
    ...auth(key),
    body: { first_name: "Ada", last_name: "Lovelace" },
  });
  await api.GET("/dj-rest-auth/user/", auth(drfToken));

  // 5. Reset the password
  await api.POST("/auth/users/reset_password/", { body: { email: "ada@example.org" } });
  await api.POST("/auth/users/reset_password_confirm/", {
    body: { uid: "<uid>", token: "<token>", new_password: "a new long passphrase" },
  });

  // Password and address changes, sessions
  await api.POST("/auth/users/set_password/", {
    ...auth(token),
    body: { current_password: PASSWORD, new_password: "a new long passphrase" },
  });
  await api.POST("/auth/users/set_email/", {
    ...auth(token),
    body: { current_password: PASSWORD, new_email: "ada@example.net" },
  });
  await api.POST("/auth/users/set_email/confirm/", { body: { key: "<key>" } });
  await api.GET("/auth/sessions/", auth(token));
  await api.POST("/auth/sessions/end_others/", auth(token));
  await api.POST("/auth/token/logout/", auth(token));
  console.log(email);
}

export async function jwt(): Promise<void> {
  const pair = await api.POST("/auth/jwt/create/", {
    body: { email: "ada@example.org", password: PASSWORD },
  });
  // With two-factor authentication on the answer is {mfa_required, ephemeral_token}: secondStep().
  const tokens = pair.data && "access" in pair.data ? pair.data : undefined;
  const access: string = tokens?.access ?? "";
  const refresh: string = tokens?.refresh ?? "";
  await api.GET("/auth/users/me/", { headers: { Authorization: `Bearer ${access}` } });
  await api.POST("/auth/jwt/refresh/", { body: { refresh } });
  await api.POST("/auth/jwt/verify/", { body: { token: access } });
  await api.POST("/auth/token/logout/", {
    headers: { Authorization: `Bearer ${access}` },
    body: { refresh },
  });
}

export async function secondStep(): Promise<void> {
  // Two-factor authentication (docs/two-factor.md): enrol, then every login takes a code.
  const setup = await api.GET("/dj-rest-auth/mfa/totp/activate/", auth("<token>"));
  await api.POST("/dj-rest-auth/mfa/totp/activate/", {
    ...auth("<token>"),
    body: { activation_token: setup.data?.activation_token ?? "", code: "123456" },
  });
  const login = await api.POST("/auth/token/login/", {
    body: { email: "ada@example.org", password: PASSWORD },
  });
  if (login.data && "mfa_required" in login.data) {
    await api.POST("/dj-rest-auth/mfa/verify/", {
      body: { ephemeral_token: login.data.ephemeral_token, code: "123456" },
    });
  }
  await api.GET("/dj-rest-auth/mfa/status/", auth("<token>"));
  await api.POST("/dj-rest-auth/mfa/recovery-codes/", { ...auth("<token>"), body: {} });

  // Login by emailed code (docs/login-by-code.md)
  await api.POST("/auth/login/code/", { body: { email: "ada@example.org" } });
  await api.POST("/auth/login/code/confirm/", {
    body: { email: "ada@example.org", code: "ABCD2345" },
  });

  // The personal-data export (docs/webhooks.md)
  await api.POST("/auth/users/me/export/", {
    ...auth("<token>"),
    body: { current_password: PASSWORD },
  });
}

export async function surveys(grace: string, kate: string): Promise<void> {
  // 1. Create a draft with one question of each kind ("audience" may be left out: public)
  const created = await api.POST("/api/surveys/", {
    ...auth(grace),
    body: {
      title: "Team lunch",
      closes_at: "2030-01-01T12:00:00Z",
      questions: [
        { text: "Where?", kind: "single_choice", choices: [{ text: "Canteen" }, { text: "Park" }] },
        {
          text: "Extras?",
          kind: "multiple_choice",
          required: false,
          choices: [{ text: "Drink" }, { text: "Dessert" }, { text: "Coffee" }],
        },
        { text: "How hungry?", kind: "rating", scale_max: 5 },
        { text: "Anything else?", kind: "text", required: false },
      ],
    },
  });
  const survey = created.data;
  if (!survey) return;
  const id = survey.id;
  const path = { params: { path: { id } } };
  const nested = { params: { path: { survey_pk: id } } };

  // 2. Publish, 3. invite, 4. answer
  await api.POST("/api/surveys/{id}/publish/", { ...auth(grace), ...path });
  await api.POST("/api/surveys/{survey_pk}/invitations/", {
    ...auth(grace),
    ...nested,
    body: { emails: ["kate@example.org"] },
  });
  const [where, extras, hungry, other] = survey.questions;
  await api.POST("/api/surveys/{survey_pk}/responses/", {
    ...auth(kate),
    ...nested,
    body: {
      answers: [
        { question: where.id, choices: [where.choices[1].id] },
        { question: extras.id, choices: [extras.choices[0].id, extras.choices[2].id] },
        { question: hungry.id, rating: 4 },
        { question: other.id, text: "Somewhere with shade" },
      ],
    },
  });

  // 5. Results, 6. CSV, 7. close
  const results = await api.GET("/api/surveys/{id}/results/", { ...auth(grace), ...path });
  const texts: string[] = results.data?.questions.map((question) => question.text) ?? [];
  await api.GET("/api/surveys/{survey_pk}/responses/", {
    ...auth(grace),
    params: { path: { survey_pk: id }, query: { format: "csv" } },
    parseAs: "text",
  });
  await api.POST("/api/surveys/{id}/close/", { ...auth(grace), ...path });
  await api.GET("/api/surveys/", auth(grace));
  console.log(texts, survey.closes_at);
}
