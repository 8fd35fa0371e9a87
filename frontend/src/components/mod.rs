//! Pieces shared by several pages: a form field with its error, the form's own error, the
//! one typeahead (`Combobox`), the login-required wrapper of member pages, the navigation
//! bar and the privacy notice.

pub mod combobox;
pub mod field;
pub mod form_error;
pub mod login_required;
pub mod nav;
pub mod notice;
