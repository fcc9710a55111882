//! The frame around every page: the title, who is signed in, the menu of their role, the
//! language switch and the form token; and the names of roles and units in the reader's
//! language.

use super::i18n::Tr;
use domain::text::Lang;
use engine::Engine;
use store::User;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    /// `None` on the sign-in page.
    pub user: Option<Signed>,
    pub nav: Vec<NavItem>,
    /// The token every form of the session sends back.
    pub csrf: String,
    /// This page's path and query, for the language switch to come back to.
    pub path: String,
}

pub struct Signed {
    pub id: String,
    pub role: String,
    pub unit: String,
}

impl Chrome {
    /// The frame of a page seen by a signed-in user; `here` marks the menu entry.
    pub fn signed(engine: &Engine, tr: Tr, user: &User, csrf: &str, path: &str, title: String, here: &str) -> Chrome {
        let mut nav = vec![NavItem { href: "/work", label: tr.t("nav-work"), current: here == "/work" }];
        if user.role == "sc_operator" {
            nav.push(NavItem { href: "/intake", label: tr.t("nav-intake"), current: here == "/intake" });
        }
        if oversees(engine, &user.role) {
            nav.push(NavItem { href: "/dashboard", label: tr.t("nav-dashboard"), current: here == "/dashboard" });
        }
        if user.role == engine::ADMIN {
            nav.push(NavItem { href: "/admin/outbox", label: tr.t("nav-outbox"), current: here == "/admin/outbox" });
        }
        nav.push(NavItem { href: "/handbook", label: tr.t("nav-handbook"), current: here == "/handbook" });
        Chrome {
            user: Some(Signed {
                id: user.id.clone(),
                role: role_title(engine, &tr, &user.role),
                unit: unit_name(engine, tr.lang, &user.unit),
            }),
            tr,
            title,
            nav,
            csrf: csrf.to_owned(),
            path: path.to_owned(),
        }
    }

    /// The frame of a page seen before signing in.
    pub fn anonymous(tr: Tr, path: &str, title: String) -> Chrome {
        Chrome { tr, title, user: None, nav: Vec::new(), csrf: String::new(), path: path.to_owned() }
    }

    /// The language switch: each language's own name, and whether it is the page's.
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        [(Lang::Kk, "Қазақша"), (Lang::Ru, "Русский"), (Lang::En, "English")]
            .into_iter()
            .map(|(l, name)| (l.code(), name, l == self.tr.lang))
            .collect()
    }
}

/// Whether the role watches deadline compliance: supervisors, administrators and the role
/// overdue tasks go to (a unit's head).
pub fn oversees(engine: &Engine, role: &str) -> bool {
    role == engine::SUPERVISOR
        || role == engine::ADMIN
        || engine.regulations().editions().iter().any(|d| d.policy.escalate_overdue_to.as_deref() == Some(role))
}

/// A role's title: from the regulation for its own roles, from the UI's words for the others.
pub fn role_title(engine: &Engine, tr: &Tr, role: &str) -> String {
    engine.regulations().editions().iter().rev().find_map(|d| d.role(role).map(|r| tr.loc(&r.title).to_owned())).unwrap_or_else(|| {
        match role {
            engine::SUPERVISOR => tr.t("role-supervisor"),
            engine::ADMIN => tr.t("role-admin"),
            other => other.to_owned(),
        }
    })
}

/// A unit's name in the reader's language, as far as the units file gives it.
pub fn unit_name(engine: &Engine, lang: Lang, unit: &str) -> String {
    match engine.config().units.iter().find(|u| u.id == unit) {
        Some(u) => match lang {
            Lang::Kk => u.name_kk.clone().unwrap_or_else(|| u.name.clone()),
            Lang::Ru => u.name_ru.clone().unwrap_or_else(|| u.name.clone()),
            Lang::En => u.name.clone(),
        },
        None => unit.to_owned(),
    }
}
