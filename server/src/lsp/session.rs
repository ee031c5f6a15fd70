//! The state every feature reads: open documents and the settings in force.

use super::documents::Documents;
use super::settings::SettingsStore;

#[derive(Default)]
pub struct Session {
    pub documents: Documents,
    pub settings: SettingsStore,
}
