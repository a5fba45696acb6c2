//! Schema URNs and the attribute definitions of RFC 7643 (§4 User and Group, §4.3 the
//! enterprise extension, §3.1 the common attributes) as static data. The filter evaluator, the
//! PATCH applier and input normalisation all read their case-exactness, types, plurality and
//! mutability from here, and the `/Schemas` discovery document is rendered from the same table.

use serde::Serialize;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Entra's own Group schema, listed beside the core one on every POST /Groups its provisioning
/// service sends ("Use SCIM to provision users and groups", vendor-audit S6). It defines no
/// attributes an SP must store.
pub const ENTRA_ADSCIM_GROUP_SCHEMA: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR_MESSAGE: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// The media type of every SCIM request and response body.
pub const CONTENT_TYPE: &str = "application/scim+json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    String,
    Boolean,
    Decimal,
    Integer,
    DateTime,
    Reference,
    Binary,
    Complex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    None,
    Server,
    Global,
}

/// One attribute definition (RFC 7643 §7), serialised exactly as `/Schemas` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttrDef {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: AttrType,
    pub multi_valued: bool,
    pub description: &'static str,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub canonical_values: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub reference_types: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub sub_attributes: &'static [AttrDef],
}

impl AttrDef {
    /// The sub-attribute `name`, case-insensitively.
    pub fn sub_attribute(&self, name: &str) -> Option<&'static AttrDef> {
        find(self.sub_attributes, name)
    }
    pub fn is_complex(&self) -> bool {
        self.ty == AttrType::Complex
    }
}

const fn attr(name: &'static str, ty: AttrType, description: &'static str) -> AttrDef {
    AttrDef {
        name,
        ty,
        multi_valued: false,
        description,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        canonical_values: &[],
        reference_types: &[],
        sub_attributes: &[],
    }
}
const fn string(name: &'static str, description: &'static str) -> AttrDef {
    attr(name, AttrType::String, description)
}
const fn boolean(name: &'static str, description: &'static str) -> AttrDef {
    attr(name, AttrType::Boolean, description)
}
const fn reference(
    name: &'static str,
    types: &'static [&'static str],
    description: &'static str,
) -> AttrDef {
    let mut a = attr(name, AttrType::Reference, description);
    a.reference_types = types;
    a
}
const fn complex(
    name: &'static str,
    subs: &'static [AttrDef],
    description: &'static str,
) -> AttrDef {
    let mut a = attr(name, AttrType::Complex, description);
    a.sub_attributes = subs;
    a
}
const fn multi(mut a: AttrDef) -> AttrDef {
    a.multi_valued = true;
    a
}
const fn required(mut a: AttrDef) -> AttrDef {
    a.required = true;
    a
}
const fn case_exact(mut a: AttrDef) -> AttrDef {
    a.case_exact = true;
    a
}
const fn mutability(mut a: AttrDef, m: Mutability) -> AttrDef {
    a.mutability = m;
    a
}
const fn returned(mut a: AttrDef, r: Returned) -> AttrDef {
    a.returned = r;
    a
}
const fn unique(mut a: AttrDef) -> AttrDef {
    a.uniqueness = Uniqueness::Server;
    a
}
const fn canonical(mut a: AttrDef, values: &'static [&'static str]) -> AttrDef {
    a.canonical_values = values;
    a
}

/// A multi-valued complex attribute with the usual value/display/type/primary sub-attributes.
const fn plural(
    name: &'static str,
    subs: &'static [AttrDef],
    description: &'static str,
) -> AttrDef {
    multi(complex(name, subs, description))
}

const fn plural_subs(value: AttrDef, types: &'static [&'static str]) -> [AttrDef; 4] {
    [
        value,
        string(
            "display",
            "A human-readable name, primarily used for display purposes.",
        ),
        canonical(
            string("type", "A label indicating the attribute's function."),
            types,
        ),
        boolean(
            "primary",
            "Whether this is the preferred value; at most one value may be primary.",
        ),
    ]
}

const NAME_SUBS: &[AttrDef] = &[
    string("formatted", "The full name, formatted for display."),
    string("familyName", "The family name of the User."),
    string("givenName", "The given name of the User."),
    string("middleName", "The middle name(s) of the User."),
    string("honorificPrefix", "The honorific prefix(es) of the User."),
    string("honorificSuffix", "The honorific suffix(es) of the User."),
];
const EMAIL_SUBS: &[AttrDef] = &plural_subs(
    string("value", "Email address for the User."),
    &["work", "home", "other"],
);
const PHONE_SUBS: &[AttrDef] = &plural_subs(
    string("value", "Phone number of the User."),
    &["work", "home", "mobile", "fax", "pager", "other"],
);
const IM_SUBS: &[AttrDef] = &plural_subs(
    string("value", "Instant messaging address for the User."),
    &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
);
const PHOTO_SUBS: &[AttrDef] = &plural_subs(
    reference("value", &["external"], "URL of a photo of the User."),
    &["photo", "thumbnail"],
);
const ADDRESS_SUBS: &[AttrDef] = &[
    string(
        "formatted",
        "The full mailing address, formatted for display.",
    ),
    string("streetAddress", "The full street address component."),
    string("locality", "The city or locality component."),
    string("region", "The state or region component."),
    string("postalCode", "The zip code or postal code component."),
    string("country", "The country name component."),
    canonical(
        string("type", "A label indicating the attribute's function."),
        &["work", "home", "other"],
    ),
    boolean("primary", "Whether this is the preferred mailing address."),
];
const USER_GROUP_SUBS: &[AttrDef] = &[
    mutability(
        string("value", "The identifier of the User's group."),
        Mutability::ReadOnly,
    ),
    mutability(
        reference("$ref", &["User", "Group"], "The URI of the Group resource."),
        Mutability::ReadOnly,
    ),
    mutability(
        string("display", "A human-readable name of the group."),
        Mutability::ReadOnly,
    ),
    mutability(
        canonical(
            string("type", "How the membership was derived."),
            &["direct", "indirect"],
        ),
        Mutability::ReadOnly,
    ),
];
const ROLE_SUBS: &[AttrDef] = &plural_subs(string("value", "The value of a role."), &[]);
const ENTITLEMENT_SUBS: &[AttrDef] =
    &plural_subs(string("value", "The value of an entitlement."), &[]);
const CERT_SUBS: &[AttrDef] = &plural_subs(
    attr(
        "value",
        AttrType::Binary,
        "The value of an X.509 certificate.",
    ),
    &[],
);

const USER_ATTRS: &[AttrDef] = &[
    unique(required(string(
        "userName",
        "Unique identifier for the User, used by the user to authenticate.",
    ))),
    complex("name", NAME_SUBS, "The components of the user's real name."),
    string("displayName", "The name of the User, suitable for display."),
    string("nickName", "The casual way to address the user."),
    reference(
        "profileUrl",
        &["external"],
        "A URL of the User's online profile.",
    ),
    string("title", "The user's title, such as \"Vice President\"."),
    string(
        "userType",
        "The relationship between the organization and the user.",
    ),
    string(
        "preferredLanguage",
        "The User's preferred written or spoken language.",
    ),
    string("locale", "The User's default location, e.g. en-US."),
    string(
        "timezone",
        "The User's time zone in the Olson database format.",
    ),
    boolean("active", "The User's administrative status."),
    returned(
        mutability(
            string("password", "The User's cleartext password, never returned."),
            Mutability::WriteOnly,
        ),
        Returned::Never,
    ),
    plural("emails", EMAIL_SUBS, "Email addresses for the user."),
    plural("phoneNumbers", PHONE_SUBS, "Phone numbers for the User."),
    plural("ims", IM_SUBS, "Instant messaging addresses for the User."),
    plural("photos", PHOTO_SUBS, "URLs of photos of the User."),
    plural(
        "addresses",
        ADDRESS_SUBS,
        "A physical mailing address for this User.",
    ),
    mutability(
        plural("groups", USER_GROUP_SUBS, "The groups the user belongs to."),
        Mutability::ReadOnly,
    ),
    plural(
        "entitlements",
        ENTITLEMENT_SUBS,
        "Entitlements of the User.",
    ),
    plural("roles", ROLE_SUBS, "Roles of the User."),
    plural(
        "x509Certificates",
        CERT_SUBS,
        "X.509 certificates of the User.",
    ),
];

const MEMBER_SUBS: &[AttrDef] = &[
    mutability(
        string("value", "Identifier of the member of this Group."),
        Mutability::Immutable,
    ),
    mutability(
        reference(
            "$ref",
            &["User", "Group"],
            "The URI of the member resource.",
        ),
        Mutability::Immutable,
    ),
    // Server-computed, hence readOnly (docs/scim-probes.md, "members.display"): RFC 7643 §4.2
    // makes members' sub-attributes immutable and its §8.7.1 schema does not list `display`,
    // so the server decides; ours is the member's current displayName (else userName), as
    // a User's `groups.display` is the group's, and values sent are ignored.
    mutability(
        string(
            "display",
            "A human-readable name of the member, computed by the service provider from the \
             member's displayName (else userName); values sent are ignored.",
        ),
        Mutability::ReadOnly,
    ),
    mutability(
        canonical(
            string("type", "The type of the member."),
            &["User", "Group"],
        ),
        Mutability::Immutable,
    ),
];

const GROUP_ATTRS: &[AttrDef] = &[
    required(string(
        "displayName",
        "A human-readable name for the Group.",
    )),
    plural("members", MEMBER_SUBS, "A list of members of the Group."),
];

const MANAGER_SUBS: &[AttrDef] = &[
    string(
        "value",
        "The id of the SCIM resource representing the User's manager.",
    ),
    reference("$ref", &["User"], "The URI of the manager's User resource."),
    mutability(
        string("displayName", "The displayName of the User's manager."),
        Mutability::ReadOnly,
    ),
];

const ENTERPRISE_ATTRS: &[AttrDef] = &[
    string(
        "employeeNumber",
        "Numeric or alphanumeric identifier assigned to a person.",
    ),
    string("costCenter", "Identifies the name of a cost center."),
    string("organization", "Identifies the name of an organization."),
    string("division", "Identifies the name of a division."),
    string("department", "Identifies the name of a department."),
    complex("manager", MANAGER_SUBS, "The User's manager."),
];

const META_SUBS: &[AttrDef] = &[
    case_exact(string("resourceType", "The name of the resource type.")),
    attr(
        "created",
        AttrType::DateTime,
        "When the resource was added.",
    ),
    attr(
        "lastModified",
        AttrType::DateTime,
        "When the resource was last changed.",
    ),
    case_exact(reference("location", &["uri"], "The URI of the resource.")),
    case_exact(string("version", "The version (ETag) of the resource.")),
];

/// id, externalId and meta (RFC 7643 §3.1): part of every resource, in no schema document.
pub const COMMON_ATTRS: &[AttrDef] = &[
    returned(
        unique(case_exact(mutability(
            string("id", "Unique identifier assigned by the service provider."),
            Mutability::ReadOnly,
        ))),
        Returned::Always,
    ),
    case_exact(string(
        "externalId",
        "Identifier of the resource as defined by the provisioning client.",
    )),
    mutability(
        complex("meta", META_SUBS, "Resource metadata."),
        Mutability::ReadOnly,
    ),
];

/// A schema document: its URN, name and attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [AttrDef],
}

pub static USER: SchemaDef = SchemaDef {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attributes: USER_ATTRS,
};
pub static GROUP: SchemaDef = SchemaDef {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "Group",
    attributes: GROUP_ATTRS,
};
pub static ENTERPRISE_USER: SchemaDef = SchemaDef {
    id: ENTERPRISE_USER_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ENTERPRISE_ATTRS,
};

/// A resource type's schemas: its core schema and its extensions (each stored under its URN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceSchema {
    /// "User" or "Group": `meta.resourceType` and the `/ResourceTypes` id.
    pub name: &'static str,
    /// The collection path, e.g. "/Users".
    pub endpoint: &'static str,
    pub core: &'static SchemaDef,
    pub extensions: &'static [&'static SchemaDef],
}

pub static USER_RESOURCE: ResourceSchema = ResourceSchema {
    name: "User",
    endpoint: "/Users",
    core: &USER,
    extensions: &[&ENTERPRISE_USER],
};
pub static GROUP_RESOURCE: ResourceSchema = ResourceSchema {
    name: "Group",
    endpoint: "/Groups",
    core: &GROUP,
    extensions: &[],
};

/// Where an attribute lives in a resource's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// The top-level object (core schema and common attributes).
    Core,
    /// The object stored under this extension schema's URN.
    Extension(&'static SchemaDef),
}

impl Container {
    pub fn attributes(self, schema: &ResourceSchema) -> &'static [AttrDef] {
        match self {
            Container::Core => schema.core.attributes,
            Container::Extension(s) => s.attributes,
        }
    }
}

impl ResourceSchema {
    /// The extension whose URN is `urn` (case-insensitively).
    pub fn extension(&self, urn: &str) -> Option<&'static SchemaDef> {
        self.extensions
            .iter()
            .copied()
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Which container a schema URN prefix designates: `None` when the URN is neither the core
    /// schema nor one of the extensions.
    pub fn container_for(&self, urn: Option<&str>) -> Option<Container> {
        match urn {
            None => Some(Container::Core),
            Some(u) if u.eq_ignore_ascii_case(self.core.id) => Some(Container::Core),
            Some(u) => self.extension(u).map(Container::Extension),
        }
    }

    /// The definition of `name` in `container`, case-insensitively; core lookups include the
    /// common attributes.
    pub fn attribute(&self, container: Container, name: &str) -> Option<&'static AttrDef> {
        match container {
            Container::Core => {
                find(self.core.attributes, name).or_else(|| find(COMMON_ATTRS, name))
            }
            Container::Extension(s) => find(s.attributes, name),
        }
    }

    /// Every schema URN the resource may list in `schemas`.
    pub fn schema_ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(self.core.id).chain(self.extensions.iter().map(|s| s.id))
    }
}

/// `name` in `defs`, case-insensitively (attribute names are case-insensitive, RFC 7643 §2.1).
pub fn find(defs: &'static [AttrDef], name: &str) -> Option<&'static AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive() {
        let d = USER_RESOURCE
            .attribute(Container::Core, "USERNAME")
            .expect("userName");
        assert_eq!(d.name, "userName");
        assert!(!d.case_exact);
        let id = USER_RESOURCE.attribute(Container::Core, "id").expect("id");
        assert!(id.case_exact);
        assert_eq!(id.mutability, Mutability::ReadOnly);
        let ext = USER_RESOURCE
            .container_for(Some(
                "URN:ietf:params:scim:schemas:extension:enterprise:2.0:user",
            ))
            .expect("enterprise");
        let dept = USER_RESOURCE
            .attribute(ext, "department")
            .expect("department");
        assert_eq!(dept.name, "department");
        assert!(USER_RESOURCE.container_for(Some("urn:x:y")).is_none());
        assert_eq!(
            USER_RESOURCE
                .attribute(Container::Core, "emails")
                .and_then(|e| e.sub_attribute("PRIMARY"))
                .map(|p| p.ty),
            Some(AttrType::Boolean)
        );
    }
}
