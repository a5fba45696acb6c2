@security @saml
Feature: SAML security: Hostile XML and identities
  DTDs are refused before anything is fetched or expanded; NameIDs map to the right account.

  @req-SAML-DTD-1
  Scenario Outline: A DOCTYPE with an external entity is refused without fetching (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an external entity
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-DTD-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-DTD-2
  Scenario Outline: An entity expansion bomb is refused quickly (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an entity expansion bomb
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-DTD-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-NID-1
  Scenario Outline: Each NameID format maps to the right account (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [SAML-NID-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor | alteration |
      | Okta | an emailAddress NameID |
      | Okta | a persistent NameID |
      | Okta | a transient NameID |
      | Okta | an unspecified NameID |

    @entra @saml
    Examples: Entra over SAML
      | vendor | alteration |
      | Entra | an emailAddress NameID |
      | Entra | a persistent NameID |
      | Entra | a transient NameID |
      | Entra | an unspecified NameID |

    @google @saml
    Examples: Google over SAML
      | vendor | alteration |
      | Google | an emailAddress NameID |
      | Google | a persistent NameID |
      | Google | a transient NameID |
      | Google | an unspecified NameID |

  @req-SAML-CMT-1
  Scenario Outline: A NameID split by a comment never signs in as the victim (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with the victim's identity split by a comment
    When Alice signs in to Acme through SSO
    Then Alice is never signed in to Acme as the victim [SAML-CMT-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |
